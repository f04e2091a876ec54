"""A small Python editor: line numbers, highlighting, auto-indent, Tab = 4 spaces.

:class:`CodeEditor` is a ``QPlainTextEdit`` with a line-number gutter and a
:class:`PythonHighlighter` (a ``QSyntaxHighlighter``: keywords, builtins, numbers,
strings including triple-quoted ones across lines, comments; colours follow the
theme). Return keeps the indentation (one level more after ``:``, one less after
``return``/``pass``/…), Tab inserts spaces to the next multiple of four (indents the
selected lines), Shift+Tab dedents, Backspace in leading spaces removes one level.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

from desktop_quiz.gui import theme
from desktop_quiz.gui.qt import (
    QColor,
    QFont,
    QPainter,
    QPlainTextEdit,
    QRect,
    QSize,
    QSyntaxHighlighter,
    Qt,
    QTextCharFormat,
    QTextCursor,
    QWidget,
)
from desktop_quiz.gui.richtext import monospace_font

INDENT = "    "


# -- highlighting ---------------------------------------------------------------------
_BUILTINS = (
    "abs", "all", "any", "bool", "dict", "enumerate", "float", "int", "isinstance", "len",
    "list", "map", "max", "min", "print", "range", "reversed", "round", "set", "sorted",
    "str", "sum", "tuple", "zip", "np",
)


class PythonHighlighter(QSyntaxHighlighter):
    """Keywords, builtins, numbers, strings (triple-quoted across lines), comments."""

    def __init__(self, document: Any):
        super().__init__(document)
        self.rules: list[tuple[re.Pattern[str], QTextCharFormat]] = []
        self.string_format = QTextCharFormat()
        self.comment_format = QTextCharFormat()
        self.apply_theme()

    def apply_theme(self) -> None:
        dark = theme.current().dark
        colours = {
            "keyword": "#ff7b72" if dark else "#cf222e",
            "builtin": "#d2a8ff" if dark else "#8250df",
            "number": "#79c0ff" if dark else "#0550ae",
            "string": "#a5d6ff" if dark else "#0a3069",
            "comment": "#8b949e" if dark else "#6e7781",
            "def": "#ffa657" if dark else "#953800",
        }

        def fmt(name: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
            f = QTextCharFormat()
            f.setForeground(QColor(colours[name]))
            if bold:
                f.setFontWeight(QFont.Weight.Bold)
            f.setFontItalic(italic)
            return f

        kw = r"\b(?:" + "|".join(keyword.kwlist) + r")\b"
        self.rules = [
            (re.compile(kw), fmt("keyword", bold=True)),
            (re.compile(r"\b(?:" + "|".join(_BUILTINS) + r")\b"), fmt("builtin")),
            (re.compile(r"\b(?:def|class)\s+(\w+)"), fmt("def", bold=True)),
            (re.compile(r"\b\d+(?:\.\d*)?(?:[eE][-+]?\d+)?\b"), fmt("number")),
        ]
        self.string_format = fmt("string")
        self.comment_format = fmt("comment", italic=True)
        self.rehighlight()

    _TOKENS = re.compile(r"('''|\"\"\"|'(?:\\.|[^'\\])*'?|\"(?:\\.|[^\"\\])*\"?|#.*$)")

    def highlightBlock(self, text: str) -> None:
        for pattern, f in self.rules:
            for m in pattern.finditer(text):
                start, end = (m.span(1) if m.groups() else m.span())
                self.setFormat(start, end - start, f)
        # Strings and comments, left to right; state 1/2 = inside ''' / """.
        state = self.previousBlockState()
        pos = 0
        if state in (1, 2):
            quote = "'''" if state == 1 else '"""'
            end = text.find(quote)
            if end < 0:
                self.setFormat(0, len(text), self.string_format)
                self.setCurrentBlockState(state)
                return
            self.setFormat(0, end + 3, self.string_format)
            pos = end + 3
        self.setCurrentBlockState(0)
        while pos < len(text):
            found = self._TOKENS.search(text, pos)
            if not found:
                break
            m = found
            tok = m.group(1)
            if tok.startswith("#"):
                self.setFormat(m.start(), len(text) - m.start(), self.comment_format)
                break
            if tok in ("'''", '"""'):
                end = text.find(tok, m.end())
                if end < 0:
                    self.setFormat(m.start(), len(text) - m.start(), self.string_format)
                    self.setCurrentBlockState(1 if tok == "'''" else 2)
                    return
                self.setFormat(m.start(), end + 3 - m.start(), self.string_format)
                pos = end + 3
                continue
            self.setFormat(m.start(), len(tok), self.string_format)
            pos = m.end()


# -- the editor -----------------------------------------------------------------------
class _Gutter(QWidget):
    def __init__(self, editor: CodeEditor):
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event: Any) -> None:
        self.editor.paint_gutter(event)


class CodeEditor(QPlainTextEdit):
    """Python editor: line numbers, highlighting, auto-indent, Tab = 4 spaces."""

    def __init__(self, parent: QWidget | None = None, read_only: bool = False):
        super().__init__(parent)
        font = monospace_font()
        font.setPointSizeF(max(font.pointSizeF(), 10.5))
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 4)
        self.setReadOnly(read_only)
        self.gutter = _Gutter(self)
        self.highlighter = PythonHighlighter(self.document())
        self.blockCountChanged.connect(lambda _n: self._update_margins())
        self.updateRequest.connect(self._update_gutter)
        self._update_margins()

    # line numbers
    def gutter_width(self) -> int:
        digits = max(2, len(str(max(1, self.blockCount()))))
        return 14 + self.fontMetrics().horizontalAdvance("9") * digits

    def _update_margins(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        r = self.contentsRect()
        self.gutter.setGeometry(QRect(r.left(), r.top(), self.gutter_width(), r.height()))

    def paint_gutter(self, event: Any) -> None:
        t = theme.current()
        p = QPainter(self.gutter)
        p.fillRect(event.rect(), QColor(t.alt_base))
        p.setPen(QColor(t.muted))
        p.setFont(self.font())
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= event.rect().top():
                p.drawText(0, top, self.gutter.width() - 6, height,
                           Qt.AlignmentFlag.AlignRight, str(number + 1))
            block = block.next()
            top = bottom
            number += 1
        p.end()

    # typing
    def keyPressEvent(self, event: Any) -> None:
        key, mods = event.key(), event.modifiers()
        plain = not (mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                             | Qt.KeyboardModifier.MetaModifier))
        if self.isReadOnly():
            super().keyPressEvent(event)
            return
        if key == Qt.Key.Key_Tab and plain:
            self._indent()
            return
        if key == Qt.Key.Key_Backtab:
            self._dedent()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            self._newline()
            return
        if key == Qt.Key.Key_Backspace and plain and self._soft_tab_back():
            return
        super().keyPressEvent(event)

    def _indent(self) -> None:
        c = self.textCursor()
        if c.hasSelection() and "\u2029" in c.selectedText():
            self._shift_lines(+1)
            return
        col = c.positionInBlock()
        c.insertText(" " * (4 - col % 4))

    def _dedent(self) -> None:
        self._shift_lines(-1)

    def _shift_lines(self, direction: int) -> None:
        c = self.textCursor()
        doc = self.document()
        first = doc.findBlock(c.selectionStart())
        last = doc.findBlock(c.selectionEnd())
        c.beginEditBlock()
        block = first
        while True:
            bc = QTextCursor(block)
            if direction > 0:
                bc.insertText(INDENT)
            else:
                text = block.text()
                n = len(text) - len(text.lstrip(" "))
                for _ in range(min(4, n)):
                    bc.deleteChar()
            if block == last:
                break
            block = block.next()
        c.endEditBlock()

    def _newline(self) -> None:
        c = self.textCursor()
        line = c.block().text()[: c.positionInBlock()]
        indent = line[: len(line) - len(line.lstrip(" "))]
        stripped = line.rstrip()
        if stripped.endswith(":"):
            indent += INDENT
        elif stripped.lstrip().split(" ", 1)[0] in (
                "return", "pass", "break", "continue", "raise") and len(indent) >= 4:
            indent = indent[:-4]  # the block ends after these
        c.insertText("\n" + indent)
        self.ensureCursorVisible()

    def _soft_tab_back(self) -> bool:
        """Backspace in leading spaces removes back to the previous multiple of four."""
        c = self.textCursor()
        if c.hasSelection():
            return False
        before = c.block().text()[: c.positionInBlock()]
        if not before or before.strip(" "):
            return False
        n = (len(before) - 1) % 4 + 1
        for _ in range(n):
            c.deletePreviousChar()
        return True

    def fit_lines(self, lines: int) -> None:
        margins = self.contentsMargins()
        height = (lines * self.fontMetrics().lineSpacing() + 2 * self.document().documentMargin()
                  + margins.top() + margins.bottom() + 6)
        self.setMinimumHeight(int(height))
