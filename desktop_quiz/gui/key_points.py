"""Key points after a recall answer is checked: one clickable row per point.

Also the evidence highlight colour and the keys that flip a point.
"""

from __future__ import annotations

from desktop_quiz.gui import theme
from desktop_quiz.gui.qt import QColor, QLabel, QSizePolicy, Qt, QWidget, Signal

MAX_POINTS = 7
FLIP_KEYS = [f"Alt+{n}" for n in range(1, MAX_POINTS + 1)]  # Ctrl+N switches pages


class PointRow(QLabel):
    """One key point after checking: covered or missed, and the answer words that made it.

    Clicking it, or Space while it has focus, flips it between covered and missed.
    """

    clicked = Signal()

    def __init__(self, index: int, text: str, parent: QWidget | None = None):
        super().__init__(text, parent)
        self.index = index
        self.setObjectName("pointRow")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setContentsMargins(0, 2, 0, 2)
        self._active = False

    def set_active(self, on: bool) -> None:
        """Flippable (after checking) or not."""
        self._active = on
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if on else Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor if on else Qt.CursorShape.ArrowCursor)
        self.setToolTip(f"Click (or press Alt+{self.index + 1}) if the checker got this "
                        "point wrong" if on else "")

    def mouseReleaseEvent(self, event: object) -> None:
        if self._active:
            self.clicked.emit()

    def keyPressEvent(self, event: object) -> None:
        if self._active and getattr(event, "key", lambda: None)() == Qt.Key.Key_Space:
            self.clicked.emit()
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]


def marker(t: theme.Theme) -> QColor:
    """The evidence highlight: the theme's "ok" colour, blended into the background."""
    ok, base = QColor(t.ok), QColor(t.base)
    a = 0.3 if t.dark else 0.22
    return QColor(int(ok.red() * a + base.red() * (1 - a)),
                  int(ok.green() * a + base.green() * (1 - a)),
                  int(ok.blue() * a + base.blue() * (1 - a)))


def utf16(text: str, index: int) -> int:
    """A Python string index as a Qt document position (UTF-16 code units)."""
    return len(text[:index].encode("utf-16-le")) // 2
