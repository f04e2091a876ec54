"""Everything one running app works with: data folder, bank, progress, settings, hooks.

The GUI, the CLI and the benchmark all build one of these; nothing here imports Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.core.config import Settings
from desktop_quiz.core.hooks import Hooks
from desktop_quiz.core.progress.scheduling import Scheduling
from desktop_quiz.core.progress.storage import Progress


@dataclass
class AppContext:
    data_dir: Path
    bank: Bank
    settings: Settings
    progress: Progress
    hooks: Hooks = field(default_factory=Hooks)

    @classmethod
    def open(cls, data_dir: Path, bank: Bank) -> AppContext:
        from desktop_quiz.core.bank.userbank import with_own_questions

        bank = with_own_questions(bank, Path(data_dir))  # the learner's own questions too
        settings = Settings(data_dir)
        progress = Progress(data_dir, Scheduling(settings["desired_retention"]))
        return cls(data_dir=data_dir, bank=bank, settings=settings, progress=progress)

    def set_setting(self, name: str, value: object) -> None:
        """Validate, store and announce a settings change."""
        self.settings.set(name, value)
        if name == "desired_retention":
            self.progress.scheduling = Scheduling(float(self.settings[name]))
            self.progress.replay_all()
            self.hooks.progress_changed.fire()
        self.hooks.settings_changed.fire(name)

    def close(self) -> None:
        self.progress.close()
        self.bank.close()
