"""Build hook: wheels ship a freshly built question bank and the app's icons.

Everything else is declared in pyproject.toml. Editable installs skip this: a
source checkout builds its bank on first launch (and whenever questions/ changes).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithBank(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        sys.path.insert(0, str(ROOT))
        from desktop_quiz.core.bank.build import build_bank

        package = Path(self.build_lib) / "desktop_quiz"
        checkout_bank = ROOT / "desktop_quiz" / "data" / "bank.sqlite"
        build_bank(ROOT / "questions", package / "data" / "bank.sqlite",
                   previous=checkout_bank if checkout_bank.is_file() else None)
        shutil.copytree(ROOT / "resources", package / "resources", dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithBank})
