"""Light and dark looks: Fusion style, a QPalette, and one small stylesheet.

The stylesheet only styles what the palette cannot (sidebar, cards, choice rows,
rating buttons, focus frames); everything else follows the palette so native
dialogs match. ``system`` follows ``QStyleHints.colorScheme()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_quiz.gui.qt import (
    QApplication,
    QColor,
    QGuiApplication,
    QLabel,
    QPalette,
    QStyleFactory,
    Qt,
    QWidget,
)


@dataclass(frozen=True)
class Theme:
    name: str  # "light" | "dark"
    window: str
    base: str
    alt_base: str
    sidebar: str
    text: str
    muted: str
    border: str
    button: str
    button_hover: str
    accent: str
    accent_text: str
    accent_soft: str
    ok: str
    ok_bg: str
    bad: str
    bad_bg: str
    warn: str
    table_header: str
    inline_code_bg: str
    link: str

    @property
    def dark(self) -> bool:
        return self.name == "dark"


LIGHT = Theme(
    name="light", window="#f4f5f7", base="#ffffff", alt_base="#f7f8fa", sidebar="#e9ecf1",
    text="#1f2328", muted="#5b6270", border="#d0d5dd", button="#ffffff",
    button_hover="#eef1f6", accent="#2457c5", accent_text="#ffffff", accent_soft="#dbe6fb",
    ok="#13722f", ok_bg="#e3f4e8", bad="#b42318", bad_bg="#fbe7e5", warn="#a15c00",
    table_header="#eef1f5", inline_code_bg="#eceff3", link="#2457c5",
)
DARK = Theme(
    name="dark", window="#1c1d21", base="#25272c", alt_base="#2b2d33", sidebar="#16171a",
    text="#e7e9ee", muted="#a3a9b6", border="#41444d", button="#30333a",
    button_hover="#3a3e46", accent="#5b8def", accent_text="#0d1117", accent_soft="#263656",
    ok="#5fd38a", ok_bg="#183524", bad="#ff8a80", bad_bg="#3f1f1d", warn="#f2b64c",
    table_header="#30333a", inline_code_bg="#343841", link="#8ab4ff",
)


def resolve(setting: str) -> Theme:
    """The theme for a ``theme`` setting value (light, dark or system)."""
    if setting == "dark":
        return DARK
    if setting == "light":
        return LIGHT
    hints = QGuiApplication.styleHints()
    return DARK if hints.colorScheme() == Qt.ColorScheme.Dark else LIGHT


def palette(t: Theme) -> QPalette:
    p = QPalette()
    roles = QPalette.ColorRole
    colours = {
        roles.Window: t.window, roles.WindowText: t.text, roles.Base: t.base,
        roles.AlternateBase: t.alt_base, roles.Text: t.text, roles.Button: t.button,
        roles.ButtonText: t.text, roles.BrightText: t.bad, roles.Highlight: t.accent,
        roles.HighlightedText: t.accent_text, roles.ToolTipBase: t.base,
        roles.ToolTipText: t.text, roles.PlaceholderText: t.muted, roles.Link: t.link,
        roles.LinkVisited: t.link, roles.Light: t.base, roles.Midlight: t.alt_base,
        roles.Mid: t.border, roles.Dark: t.border, roles.Shadow: "#000000",
    }
    for role, colour in colours.items():
        p.setColor(role, QColor(colour))
    disabled = QColor(t.muted)
    disabled.setAlpha(150)
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    p.setColor(QPalette.ColorGroup.Disabled, roles.Highlight, QColor(t.border))
    return p


def indicator_outline(t: Theme) -> QColor:
    """The border of check boxes and radio buttons: at least 3:1 against the window."""
    return QColor("#8e96a6" if t.dark else "#666d7a")


def indicator_palette(t: Theme) -> QPalette:
    """Fusion draws an indicator's border as the Window colour darkened by 140%; on
    the dark window that border was nearly black, so check boxes and radio buttons
    get a Window colour whose darkened shade is :func:`indicator_outline`."""
    p = palette(t)
    outline = indicator_outline(t)
    window = QColor.fromHsv(outline.hsvHue(), outline.hsvSaturation(),
                            min(255, round(outline.value() * 1.4)))
    p.setColor(QPalette.ColorRole.Window, window)
    return p


def stylesheet(t: Theme) -> str:
    return f"""
QWidget#sidebar {{ background: {t.sidebar}; }}
QListWidget#nav {{ background: transparent; border: none; outline: 0; }}
QListWidget#nav::item {{ padding: 9px 14px; margin: 1px 8px; border-radius: 6px;
    color: {t.text}; }}
QListWidget#nav::item:hover {{ background: {t.button_hover}; }}
QListWidget#nav::item:selected {{ background: {t.accent_soft}; color: {t.text};
    font-weight: bold; }}
QListWidget#nav:focus {{ border: 2px solid {t.accent}; border-radius: 6px; }}
QLabel#appTitle {{ font-size: 13pt; font-weight: bold; color: {t.text}; }}
QLabel[role="h1"] {{ font-size: 19pt; font-weight: bold; color: {t.text}; }}
QLabel[role="h2"] {{ font-size: 13pt; font-weight: bold; color: {t.text}; }}
QLabel[role="muted"] {{ color: {t.muted}; }}
QLabel[role="big"] {{ font-size: 26pt; font-weight: bold; color: {t.text}; }}
QLabel[role="chip"] {{ background: {t.accent_soft}; border: none;
    border-radius: 11px; padding: 3px 11px; color: {t.text}; }}
QLabel[role="ok"] {{ color: {t.ok}; font-weight: bold; }}
QLabel[role="bad"] {{ color: {t.bad}; font-weight: bold; }}
QLabel[role="banner-ok"] {{ background: {t.ok_bg}; color: {t.ok}; border: 1px solid {t.ok};
    border-radius: 8px; padding: 8px 12px; font-weight: bold; font-size: 12pt; }}
QLabel[role="banner-bad"] {{ background: {t.bad_bg}; color: {t.bad};
    border: 1px solid {t.bad}; border-radius: 8px; padding: 8px 12px; font-weight: bold;
    font-size: 12pt; }}
QLabel[role="banner-info"] {{ background: {t.accent_soft}; color: {t.text};
    border-radius: 8px; padding: 8px 12px; }}
QLabel#countdown {{ font-size: 22pt; font-weight: bold; color: {t.text}; }}
QLabel#countdown[urgent="true"] {{ color: {t.bad}; }}
QFrame[role="card"] {{ background: {t.base}; border: 1px solid {t.border};
    border-radius: 10px; }}
QFrame[role="card"] QLabel {{ background: transparent; }}
QFrame#choiceRow {{ background: {t.base}; border: 1px solid {t.border}; border-radius: 8px; }}
QFrame#choiceRow:hover {{ background: {t.alt_base}; }}
QFrame#choiceRow[selected="true"] {{ background: {t.accent_soft}; border-color: {t.accent}; }}
QFrame#choiceRow[focused="true"] {{ border: 2px solid {t.accent}; }}
QFrame#choiceRow[state="correct"] {{ background: {t.ok_bg}; border: 2px solid {t.ok}; }}
QFrame#choiceRow[state="wrong"] {{ background: {t.bad_bg}; border: 2px solid {t.bad}; }}
QLabel#choiceKey {{ background: {t.alt_base}; border: 1px solid {t.border};
    border-radius: 5px; color: {t.muted}; font-weight: bold; padding: 1px 7px; }}
QPushButton {{ background: {t.button}; color: {t.text}; border: 1px solid {t.border};
    border-radius: 6px; padding: 6px 14px; min-height: 20px; }}
QPushButton:hover {{ background: {t.button_hover}; }}
QPushButton:pressed {{ background: {t.accent_soft}; }}
QPushButton:focus {{ border: 2px solid {t.accent}; padding: 5px 13px; }}
QPushButton:disabled {{ color: {t.muted}; background: {t.alt_base}; }}
QPushButton:checked {{ background: {t.accent_soft}; border: 2px solid {t.accent};
    padding: 5px 13px; font-weight: bold; }}
QPushButton[primary="true"] {{ background: {t.accent}; color: {t.accent_text};
    border: 1px solid {t.accent}; font-weight: bold; }}
QPushButton[primary="true"]:hover {{ background: {t.link}; }}
QPushButton[primary="true"]:focus {{ border: 2px solid {t.text}; }}
QPushButton[primary="true"]:disabled {{ background: {t.border}; color: {t.muted};
    border-color: {t.border}; }}
QPushButton[rating="1"]:checked {{ border-color: {t.bad}; background: {t.bad_bg}; }}
QPushButton[rating="4"]:checked {{ border-color: {t.ok}; background: {t.ok_bg}; }}
QScrollArea {{ border: none; background: transparent; }}
QScrollArea > QWidget > QWidget#scrollBody {{ background: transparent; }}
QTextBrowser[autoHeight="true"] {{ background: transparent; }}
QTreeWidget, QListWidget, QPlainTextEdit, QLineEdit, QTextBrowser {{
    selection-background-color: {t.accent}; selection-color: {t.accent_text}; }}
QPlainTextEdit:focus, QLineEdit:focus {{ border: 2px solid {t.accent}; }}
QPlainTextEdit, QLineEdit {{ border: 1px solid {t.border}; border-radius: 6px;
    background: {t.base}; padding: 4px; }}
QTreeWidget {{ border: 1px solid {t.border}; border-radius: 6px; background: {t.base}; }}
QTreeWidget::item {{ padding: 2px 0px; }}
QListWidget#missed::item {{ padding: 6px 4px; }}
QTreeWidget:focus, QListWidget:focus {{ border: 2px solid {t.accent}; }}
QProgressBar {{ border: 1px solid {t.border}; border-radius: 4px; background: {t.alt_base};
    text-align: center; color: {t.text}; max-height: 10px; }}
QProgressBar::chunk {{ background: {t.accent}; border-radius: 3px; }}
QProgressBar[role="busy"] {{ max-height: 14px; }}
QDialogButtonBox {{ dialogbuttonbox-buttons-have-icons: 0; }}
QToolTip {{ color: {t.text}; background: {t.base}; border: 1px solid {t.border}; }}
"""


def apply(app: QApplication, setting: str) -> Theme:
    """Apply the look for ``setting`` to the whole application; returns the theme."""
    t = resolve(setting)
    style = QStyleFactory.create("Fusion")
    if style is not None and app.style().name().lower() != "fusion":
        app.setStyle(style)
    app.setPalette(palette(t))
    for cls in ("QCheckBox", "QRadioButton"):
        app.setPalette(indicator_palette(t), cls)  # type: ignore[arg-type]
    app.setStyleSheet(stylesheet(t))
    app.setProperty("dq_theme", t.name)
    return t


def current() -> Theme:
    """The theme last applied with :func:`apply` (light before any)."""
    app = QApplication.instance()
    name = app.property("dq_theme") if app is not None else None
    return DARK if name == "dark" else LIGHT


def repolish(widget: object) -> None:
    """Re-apply the stylesheet after a dynamic property used in selectors changed."""
    if isinstance(widget, QWidget) and not widget.testAttribute(
            Qt.WidgetAttribute.WA_WState_Polished):
        return  # never shown yet: its first show polishes it with the new property
    if isinstance(widget, QLabel):
        # unpolish()/polish() misses box-model changes (padding, border) on labels;
        # touching the widget's own (empty) sheet makes Qt recompute everything.
        sheet = widget.styleSheet()
        widget.setStyleSheet(sheet[:-1] if sheet.endswith(" ") else sheet + " ")
        widget.updateGeometry()
    elif isinstance(widget, QWidget):
        # Containers (choice rows, cards): a sheet of their own would also re-resolve
        # every child (~0.2 ms a row); only the container's own look changes.
        style = widget.style()
        style.unpolish(widget)
        style.polish(widget)
        widget.update()
        widget.updateGeometry()
