"""Tiny "something changed" hooks, so views refresh without knowing who changed what.

Anki's idea, in plain Python: core operations fire a hook after they commit;
the Qt layer subscribes and refreshes the views that show that state. Hooks run
on the thread that fires them; the GUI fires and subscribes on its own thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    """A named list of callbacks."""

    def __init__(self, name: str):
        self.name = name
        self._callbacks: list[Callable[..., Any]] = []

    def connect(self, callback: Callable[..., Any]) -> None:
        if callback not in self._callbacks:
            self._callbacks.append(callback)

    def disconnect(self, callback: Callable[..., Any]) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def fire(self, *args: Any) -> None:
        for callback in list(self._callbacks):
            callback(*args)


class Hooks:
    """The hooks of one running app (one instance per AppContext, not global)."""

    def __init__(self) -> None:
        self.progress_changed = Hook("progress_changed")  # answers, cards, flags
        self.settings_changed = Hook("settings_changed")  # arg: option name
        self.bank_changed = Hook("bank_changed")
