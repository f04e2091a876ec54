"""Chart parts of the Progress screen: the themed chart frame, colours and the lazy
matplotlib import (numpy and matplotlib load when the first chart is built)."""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_quiz.core import paths
from desktop_quiz.gui.qt import (
    QFileDialog,
    QFrame,
    QMenu,
    QSizePolicy,
    Qt,
    QVBoxLayout,
)
from desktop_quiz.gui.widgets import label

RANGES = (("30 days", 30), ("90 days", 90), ("All", None))
DEFAULT_RANGE = 90
HIGHLIGHTED = 5  # weakest topics drawn bold in "mastery over time"
TITLE_CHARS = 34  # topic titles on chart axes are cut to this

# Line colours for the highlighted topics, then for others the learner turns on.
HIGHLIGHT_LIGHT = ("#c92a2a", "#e8590c", "#7048e8", "#1971c2", "#2b8a3e")
HIGHLIGHT_DARK = ("#ff8787", "#ffa94d", "#b197fc", "#74c0fc", "#8ce99a")
OTHER_LIGHT = ("#5f3dc4", "#0b7285", "#a61e4d", "#5c940d", "#862e9c", "#364fc7", "#d9480f",
               "#087f5b", "#495057", "#e67700")
OTHER_DARK = ("#d0bfff", "#66d9e8", "#faa2c1", "#c0eb75", "#e599f7", "#91a7ff", "#ffc078",
              "#63e6be", "#ced4da", "#ffd43b")


@dataclass(frozen=True)
class ChartLook:
    """Chart colours for the current theme."""

    dark: bool
    window: str
    bg: str
    fg: str
    muted: str
    grid: str
    accent: str
    weak: str
    highlight: tuple[str, ...]
    other: tuple[str, ...]
    cmap: str


def short_title(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


class Chart(QFrame):
    """A titled card holding one matplotlib figure (created once, redrawn in place).

    Margins are fixed in pixels (recomputed on resize) rather than by a layout
    engine: measuring every label on each draw made redraws several times slower.
    """

    def __init__(self, mpl: Mpl, title: str, caption: str, height: int):
        super().__init__()
        self.setProperty("role", "card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.mpl = mpl
        self.title = title
        self.height_px = height
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(4)
        lay.addWidget(label(title, "h2"))
        self.caption = label(caption, "muted", wrap=True)
        lay.addWidget(self.caption)
        self.figure = mpl.Figure(figsize=(8, height / 100), dpi=100)
        self.canvas = mpl.FigureCanvas(self.figure)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.canvas.setFixedHeight(height)
        self.canvas.setAccessibleName(title)
        self.canvas.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.canvas.customContextMenuRequested.connect(self._menu)
        self.canvas.mpl_connect("resize_event", lambda _event: self.place())
        lay.addWidget(self.canvas)
        self.extra = QVBoxLayout()
        lay.addLayout(self.extra)
        self.margins = (10, 10, 10, 10)  # left, right, top, bottom in pixels
        self.ax: Any = None
        self.cax: Any = None  # a colour bar's axes, in the right margin

    def set_height(self, height: int) -> None:
        if self.canvas.height() != height:
            self.canvas.setFixedHeight(height)

    def axes(self, look: ChartLook, margins: tuple[int, int, int, int],
             colorbar: bool = False) -> Any:
        """A fresh, themed axes on the reused figure, with margins in pixels."""
        self.figure.clear()
        self.figure.set_facecolor(look.bg)
        self.margins = margins
        ax = self.ax = self.figure.add_subplot()
        self.cax = self.figure.add_axes((0, 0, 0.01, 0.01)) if colorbar else None
        ax.set_facecolor(look.bg)
        for spine in ax.spines.values():
            spine.set_color(look.grid)
        ax.tick_params(colors=look.muted, labelcolor=look.fg, labelsize=9)
        self.place()
        return ax

    def place(self) -> None:
        """Apply the pixel margins to the figure's current size."""
        if self.ax is None:
            return
        w, h = self.figure.get_size_inches() * self.figure.dpi
        left, right, top, bottom = self.margins
        x0, x1 = min(0.45, left / w), max(0.55, 1 - right / w)
        y0, y1 = min(0.45, bottom / h), max(0.55, 1 - top / h)
        self.ax.set_position((x0, y0, x1 - x0, y1 - y0))
        if self.cax is not None:
            self.cax.set_position((x1 + 14 / w, y0, 12 / w, y1 - y0))

    def empty(self, look: ChartLook, text: str) -> None:
        self.set_height(150)
        ax = self.axes(look, (0, 0, 0, 0))
        ax.set_axis_off()
        ax.text(0.5, 0.5, text, ha="center", va="center", color=look.muted, fontsize=11,
                transform=ax.transAxes)
        self.canvas.draw_idle()

    def row_labels(self, look: ChartLook, labels: list[str], ax: Any) -> None:
        """Category labels left of the axes: plain texts, cheaper than tick labels."""
        ax.set_yticks([])
        trans = ax.get_yaxis_transform()  # x in axes units, y in data
        for i, text in enumerate(labels):
            ax.text(-0.01, i, text, ha="right", va="center", fontsize=9, color=look.fg,
                    transform=trans, clip_on=False)

    def _menu(self, pos: Any) -> None:
        menu = QMenu(self)
        action = menu.addAction("Save this chart as PNG…")
        action.triggered.connect(self._save)
        menu.exec(self.canvas.mapToGlobal(pos))

    def _save(self) -> None:
        slug = self.title.lower().replace(" ", "-").replace("×", "by")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save chart", str(Path.home() / f"desktop-quiz-{slug}.png"), "PNG image (*.png)")
        if path:
            self.save(Path(path))

    def draw_now(self) -> None:
        self.canvas.stale_figure = False
        self.canvas.draw()

    def save(self, path: Path) -> None:
        self.figure.savefig(path, dpi=150, facecolor=self.figure.get_facecolor())


def label_width(chart: Chart, labels: list[str], size: float = 9) -> int:
    """Pixels needed by the widest of ``labels`` at ``size`` points, plus a gap."""
    if not labels:
        return 16
    renderer = chart.canvas.get_renderer()
    font = chart.mpl.FontProperties(size=size)
    widest = max(renderer.get_text_width_height_descent(t, font, ismath=False)[0]
                 for t in labels)
    return 16 + math.ceil(widest)


def first_shown_day(started: Any, minimum: int = 7) -> int:
    """Index to start a time axis at: the first day with data, showing at least a week."""
    first = int(started.argmax()) if started.any() else len(started) - 1
    return max(0, min(first, len(started) - minimum))


class Mpl:
    """The matplotlib names this view uses, imported on first construction."""

    def __init__(self) -> None:
        if getattr(sys, "frozen", False):
            # PyInstaller's matplotlib hook points MPLCONFIGDIR at a new temporary
            # folder at every start (one-file builds move), so each first Progress open
            # would rebuild the font list. A one-folder install has stable font paths,
            # and matplotlib rebuilds the list itself if a cached font goes missing.
            os.environ["MPLCONFIGDIR"] = str(paths.cache_dir() / "matplotlib")
        import numpy
        from matplotlib import colormaps
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
        from matplotlib.figure import Figure
        from matplotlib.font_manager import FontProperties
        from matplotlib.ticker import MaxNLocator, PercentFormatter

        class LazyCanvas(FigureCanvasQTAgg):
            """Draws when painted: charts scrolled out of view cost nothing on refresh."""

            stale_figure = False

            def draw_idle(self) -> None:
                self.stale_figure = True
                self.update()

            def wheelEvent(self, event: Any) -> None:
                # No chart uses scrolling; the page around it does (issue 15).
                event.ignore()

            def paintEvent(self, event: Any) -> None:
                if self.stale_figure:
                    self.stale_figure = False
                    self.draw()
                super().paintEvent(event)

        self.np = numpy
        self.FontProperties = FontProperties
        self.Figure = Figure
        self.FigureCanvas = LazyCanvas
        self.PercentFormatter = PercentFormatter
        self.MaxNLocator = MaxNLocator
        self.AutoDateLocator = AutoDateLocator
        self.ConciseDateFormatter = ConciseDateFormatter
        self.colormaps = colormaps


_MPL: Mpl | None = None


def matplotlib_names() -> Mpl:
    global _MPL
    if _MPL is None:
        _MPL = Mpl()
    return _MPL



# -- the readiness forecast (study plan) ---------------------------------------------------
# Colour-blind-safe pair taken from cividis (dark blue / light yellow ends): the plan in
# the strong end, "if you stop now" in a grey-olive middle, both readable on either theme.
READINESS_LIGHT = ("#003070", "#aea371")  # cividis(0.08), cividis(0.7)
READINESS_DARK = ("#fee535", "#948e77")  # cividis(0.99), cividis(0.6)


def draw_readiness(chart: Chart, look: ChartLook, rows: list[Any], titles: dict[str, str],
                   target: float) -> None:
    """Per topic at the interview: the plan's forecast (bar, 90% range) and "stop now" (mark).

    ``rows`` have ``topic``, ``plan``, ``plan_low``, ``plan_high`` and ``stop``, weakest
    first.
    """
    plan_colour, stop_colour = READINESS_DARK if look.dark else READINESS_LIGHT
    chart.set_height(74 + 23 * len(rows))
    names = [short_title(titles.get(r.topic, r.topic)) for r in rows]
    ax = chart.axes(look, (label_width(chart, names), 24, 60, 8))
    y = list(range(len(rows)))
    ax.barh(y, [r.plan * 100 for r in rows], height=0.58, color=plan_colour, alpha=0.95,
            zorder=2, label="if you follow the plan (90% range)")
    ax.errorbar([r.plan * 100 for r in rows], y,
                xerr=[[(r.plan - r.plan_low) * 100 for r in rows],
                      [(r.plan_high - r.plan) * 100 for r in rows]],
                fmt="none", ecolor=look.fg, elinewidth=1.0, capsize=2.5, zorder=3)
    ax.scatter([r.stop * 100 for r in rows], y, marker="D", s=26, color=stop_colour,
               edgecolors=look.fg, linewidths=0.6, zorder=4, label="if you stop now")
    ax.axvline(target * 100, color=look.muted, linestyle="--", linewidth=1.0, zorder=1,
               label=f"target {round(target * 100)}%")
    chart.row_labels(look, names, ax)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 20))
    ax.xaxis.set_major_formatter(chart.mpl.PercentFormatter())
    ax.xaxis.tick_top()
    ax.grid(axis="x", color=look.grid, linewidth=0.6, zorder=0)
    for spine in ("right", "bottom", "left"):
        ax.spines[spine].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False,
              fontsize=9, labelcolor=look.fg, handlelength=1.4,
              bbox_transform=chart.figure.transFigure, borderaxespad=0.2)
    chart.canvas.draw_idle()
