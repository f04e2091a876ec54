"""Showing the bank's pre-rendered HTML: math images, code, tables, font size.

The bank stores math as ``<img src="math:HASH" width=W height=H>``; a
:class:`RichView` resolves those in :meth:`RichView.loadResource` by rendering
the stored SVG (recoloured for dark mode) at the screen's device pixel ratio.
Images are cached per (hash, colour, dpr, scale), so re-showing a question or
toggling the theme back costs nothing.
"""

from __future__ import annotations

import base64
import math
import re
from collections import OrderedDict
from typing import Any

from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.gui import theme
from desktop_quiz.gui.qt import (
    QBuffer,
    QByteArray,
    QDesktopServices,
    QEvent,
    QFont,
    QFontDatabase,
    QFrame,
    QImage,
    QObject,
    QPainter,
    QSize,
    QSizePolicy,
    QSvgRenderer,
    Qt,
    QTextBrowser,
    QTextDocument,
    QUrl,
    QWidget,
    Signal,
)

BASE_POINT_SIZE = 11  # math was rendered for this reading size
_MATH_SRC_RE = re.compile(r'src="math:([0-9a-f]+)"')
_MATH_IMG_RE = re.compile(r'(<img src="math:[0-9a-f]+" width=")(\d+)(" height=")(\d+)(")')
# Rendered formulas kept for re-showing (least recently used dropped first). By
# bytes, not count: a drill meets new formulas all the time, and a count limit let
# the cache grow by megabytes per hundred questions. Re-rendering one costs ~0.2 ms.
_CACHE_BYTES = 1_000_000


class RichEnv(QObject):
    """What every rich view needs: the bank (for math), the theme and the reading size.

    One per main window; views re-render themselves when :attr:`changed` fires.
    """

    changed = Signal()

    def __init__(self, bank: Bank, font_size: int = BASE_POINT_SIZE,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.bank = bank
        self.font_size = font_size
        self.theme = theme.current()
        self._images: OrderedDict[tuple[str, str, float, float], QImage] = OrderedDict()
        self._image_bytes = 0

    @property
    def scale(self) -> float:
        return self.font_size / BASE_POINT_SIZE

    def update(self, *, font_size: int | None = None, th: theme.Theme | None = None) -> None:
        if font_size is not None:
            self.font_size = font_size
        if th is not None:
            self.theme = th
        self.changed.emit()

    # -- html --------------------------------------------------------------------
    def prepare(self, html: str) -> str:
        """Scale math images with the reading size (cheap: one regex pass)."""
        s = self.scale
        if abs(s - 1.0) < 1e-6:
            return html
        return _MATH_IMG_RE.sub(
            lambda m: f"{m[1]}{round(int(m[2]) * s)}{m[3]}{round(int(m[4]) * s)}{m[5]}", html)

    def stylesheet(self) -> str:
        t = self.theme
        return (
            f"a {{ color: {t.link}; }}"
            f"table {{ border-collapse: collapse; margin-top: 4px; margin-bottom: 10px; }}"
            f"th {{ background-color: {t.table_header}; border: 1px solid {t.border}; "
            f"padding: 5px 9px; font-weight: bold; }}"
            f"td {{ border: 1px solid {t.border}; padding: 5px 9px; }}"
            f"code {{ background-color: {t.inline_code_bg}; }}"
            f"pre {{ margin-top: 4px; margin-bottom: 10px; }}"
            f"h3, h4 {{ margin-top: 10px; margin-bottom: 4px; }}"
            f"p {{ margin-top: 0px; margin-bottom: 8px; }}"
            f"li {{ margin-bottom: 3px; }}"
        )

    def font(self) -> QFont:
        f = QFont()
        f.setPointSizeF(float(self.font_size))
        return f

    def label_html(self, html: str, dpr: float = 1.0) -> str:
        """Bank HTML for a QLabel, which cannot resolve ``math:`` images itself.

        Each formula becomes an inline PNG (a data URL) in the theme's text colour.
        """
        def inline(m: re.Match[str]) -> str:
            image = self.math_image(m[1], dpr)
            if image is None:
                return m[0]
            data = QByteArray()
            buf = QBuffer(data)
            buf.open(QBuffer.OpenModeFlag.WriteOnly)
            image.save(buf, "PNG")  # type: ignore[call-overload]
            buf.close()
            return f'src="data:image/png;base64,{base64.b64encode(data.data()).decode()}"'

        return _MATH_SRC_RE.sub(inline, self.prepare(html))

    # -- math --------------------------------------------------------------------
    def math_image(self, key: str, dpr: float) -> QImage | None:
        colour = self.theme.text if self.theme.dark else "black"
        cache_key = (key, colour, round(dpr, 2), round(self.scale, 3))
        found = self._images.get(cache_key)
        if found is not None:
            self._images.move_to_end(cache_key)
            return found
        svg = self.bank.math_svg(key)
        if svg is None:
            return None
        if colour != "black":
            svg = svg.replace('fill="black"', f'fill="{colour}"')
        renderer = QSvgRenderer(QByteArray(svg.encode()))
        if not renderer.isValid():
            return None
        size = renderer.defaultSize()
        factor = self.scale * dpr
        image = QImage(max(1, math.ceil(size.width() * factor)),
                       max(1, math.ceil(size.height() * factor)),
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        image.setDevicePixelRatio(dpr)
        self._images[cache_key] = image
        self._image_bytes += image.sizeInBytes()
        while self._image_bytes > _CACHE_BYTES and len(self._images) > 1:
            _key, old = self._images.popitem(last=False)  # shown views keep their copy
            self._image_bytes -= old.sizeInBytes()
        return image


_PRE_RE = re.compile(
    r'<pre style="background-color:\s*([^;"]+);\s*color:\s*([^;"]+);?">(.*?)</pre>', re.DOTALL)


def wrap_code_blocks(html: str) -> str:
    """Padded dark boxes for code: QTextDocument ignores padding on <pre>, not on cells.

    The ``<code>`` inside is dropped so the inline-code background does not paint
    a second, lighter box behind each line.
    """

    def box(m: re.Match[str]) -> str:
        body = m[3].replace("<code>", "").replace("</code>", "")
        return (f'<table width="100%" cellspacing="0" cellpadding="10" border="0" '
                f'style="margin-top: 4px; margin-bottom: 10px;"><tr>'
                f'<td bgcolor="{m[1]}" style="border: none;">'
                f'<pre style="color:{m[2]}; margin: 0px;">{body}</pre></td></tr></table>')

    return _PRE_RE.sub(box, html)


_DPR_CHANGE = QEvent.Type.DevicePixelRatioChange


class RichView(QTextBrowser):
    """A read-only view of bank HTML.

    ``auto_height`` makes it as tall as its content (no vertical scroll bar), for
    stacking several in one scroll area; otherwise it scrolls like a browser.
    """

    def __init__(self, env: RichEnv, parent: QWidget | None = None, *,
                 auto_height: bool = False, selectable: bool = True):
        super().__init__(parent)
        self.env = env
        self.auto_height = auto_height
        self._fit_pending = False
        self._html = ""
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._open_link)
        self.setReadOnly(True)
        flags = (Qt.TextInteractionFlag.TextSelectableByMouse if selectable
                 else Qt.TextInteractionFlag.NoTextInteraction)
        self.setTextInteractionFlags(flags)
        self.document().setDocumentMargin(2 if auto_height else 10)
        if auto_height:
            self.setFrameShape(QFrame.Shape.NoFrame)
            self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
            self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.viewport().setAutoFillBackground(False)
            # Transparent through the app stylesheet (theme.py): a sheet of its own
            # per view makes every polish of it and its parents much slower.
            self.setProperty("autoHeight", True)
            self.document().documentLayout().documentSizeChanged.connect(self._fit)
        env.changed.connect(self._rerender)

    # -- content -------------------------------------------------------------------
    def set_bank_html(self, html: str) -> None:
        """Show HTML from the bank (or composed from bank fragments)."""
        self._html = html
        self._rerender()

    def bank_html(self) -> str:
        return self._html

    def _rerender(self) -> None:
        doc = self.document()
        doc.setDefaultFont(self.env.font())
        doc.setDefaultStyleSheet(self.env.stylesheet())
        # Images are resolved through loadResource; drop ones cached for another theme.
        doc.clear()
        self.setHtml(wrap_code_blocks(self.env.prepare(self._html)))
        self._fit()

    def loadResource(self, type: int, url: QUrl | str) -> Any:
        """Only the bank's own formula images; every other resource is refused.

        QTextBrowser would otherwise read any local path an <img> or a style sheet
        names (a device file, a secret), so nothing reaches the default loader.
        """
        qurl = QUrl(url) if isinstance(url, str) else url
        image = (type == QTextDocument.ResourceType.ImageResource.value
                 or type == QTextDocument.ResourceType.ImageResource)
        if image and qurl.scheme() == "math":
            found = self.env.math_image(qurl.path(), self.devicePixelRatioF())
            if found is not None:
                return found
        # An empty value, not None: for None the document falls back to reading the
        # URL from disk itself.
        return QImage() if image else QByteArray()

    def _open_link(self, url: QUrl) -> None:
        if url.scheme() == "https":  # the sanitizer keeps no other links
            QDesktopServices.openUrl(url)

    # -- sizing --------------------------------------------------------------------
    def _fit(self) -> None:
        if not self.auto_height:
            return
        if not self.isVisible():
            # Laying out a hidden document (an explanation shown only after the
            # answer) is wasted work: showEvent fits it when it appears.
            self._fit_pending = True
            return
        self._fit_pending = False
        doc = self.document()
        doc.setTextWidth(self.viewport().width())
        height = math.ceil(doc.size().height()) + 2 * self.frameWidth()
        bar = self.horizontalScrollBar()
        if bar.isVisible():
            height += bar.sizeHint().height()
        if self.height() != height or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def showEvent(self, event: Any) -> None:
        if self._fit_pending:
            self._fit()
        super().showEvent(event)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.auto_height:
            return QSize(hint.width(), self.height())
        return hint

    def event(self, e: QEvent) -> bool:
        if e.type() == _DPR_CHANGE:  # every event of every view passes here: keep it cheap
            self._rerender()  # re-resolve math at the new resolution
        return super().event(e)


def monospace_font() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
