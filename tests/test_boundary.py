"""Architecture rules: the core never loads Qt; the GUI reaches Qt only via its shim."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import desktop_quiz.core

ROOT = Path(__file__).resolve().parent.parent


def core_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(desktop_quiz.core.__path__,
                                                          "desktop_quiz.core."))


def test_core_imports_no_qt_in_a_fresh_interpreter() -> None:
    modules = core_modules()
    assert {"desktop_quiz.core.bank", "desktop_quiz.core.study", "desktop_quiz.core.grading",
            "desktop_quiz.core.storage", "desktop_quiz.core.scheduling"} <= set(modules)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "import desktop_quiz.cli\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'matplotlib'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_gui_modules_import_qt_only_through_the_shim() -> None:
    offenders = []
    for path in sorted((ROOT / "desktop_quiz" / "gui").glob("*.py")):
        if path.name == "qt.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"\s*(from|import)\s+(PySide6|shiboken6)\b", line):
                offenders.append(f"{path.name}:{n}")
    assert offenders == []


def test_core_sources_do_not_mention_qt_imports() -> None:
    for path in (ROOT / "desktop_quiz" / "core").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+(PySide6|shiboken6)", text, re.M), path
