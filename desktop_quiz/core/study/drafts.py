"""The learner's unfinished code, one file per coding exercise in the data folder.

``<data folder>/drafts/<exercise id>.py``: plain files, so a draft survives a restart
or a crash and the learner can even open it in another editor. Each write goes to a
temporary file first and then replaces the draft, so a draft is never half written.
A draft is removed when its answer is submitted (the code is then in the history).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from desktop_quiz.core.model import ID_RE

MAX_DRAFT_BYTES = 256 * 1024


class Drafts:
    def __init__(self, data_dir: Path):
        self.folder = Path(data_dir) / "drafts"

    def _path(self, qid: str) -> Path:
        if not ID_RE.match(qid):
            raise ValueError(f"not a question id: {qid!r}")
        return self.folder / f"{qid}.py"

    def load(self, qid: str) -> str | None:
        """The saved draft, or None when there is none (or it cannot be read)."""
        try:
            path = self._path(qid)
            if path.stat().st_size > MAX_DRAFT_BYTES:
                return None
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError):
            return None

    def save(self, qid: str, code: str) -> None:
        path = self._path(qid)
        data = code.encode("utf-8")[:MAX_DRAFT_BYTES]
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{qid}.", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def clear(self, qid: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._path(qid).unlink(missing_ok=True)

    def ids(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.py")) if self.folder.is_dir() else []
