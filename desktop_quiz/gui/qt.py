"""The one place the app imports Qt from (qutebrowser's idea).

Every other GUI module imports Qt names from here, so a binding or version
change touches one file. Only what the app uses is re-exported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# Only the modules load here. PySide6 creates each class (and its enums) on first
# attribute access, which costs ~40 ms for all of the names below; __getattr__ resolves
# a name when a GUI module first imports it, so start-up pays only for what Home uses.
from PySide6 import QtCore, QtGui, QtWidgets

if TYPE_CHECKING:
    from PySide6 import QtSvg
    from PySide6.QtCore import (
        QBuffer,
        QByteArray,
        QDate,
        QElapsedTimer,
        QEvent,
        QItemSelectionModel,
        QLockFile,
        QObject,
        QPoint,
        QPointF,
        QRect,
        QSettings,
        QSize,
        QStandardPaths,
        Qt,
        QThread,
        QTimer,
        QUrl,
        Signal,
        Slot,
    )
    from PySide6.QtGui import (
        QAction,
        QColor,
        QCursor,
        QDesktopServices,
        QFont,
        QFontDatabase,
        QGuiApplication,
        QIcon,
        QImage,
        QKeySequence,
        QPainter,
        QPalette,
        QPixmap,
        QShortcut,
        QStandardItemModel,
        QSyntaxHighlighter,
        QTextCharFormat,
        QTextCursor,
        QTextDocument,
        QTextFormat,
        QWheelEvent,
    )
    from PySide6.QtSvg import QSvgRenderer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QApplication,
        QButtonGroup,
        QCheckBox,
        QComboBox,
        QDateEdit,
        QDialog,
        QDialogButtonBox,
        QDoubleSpinBox,
        QFileDialog,
        QFormLayout,
        QFrame,
        QGridLayout,
        QHBoxLayout,
        QHeaderView,
        QLabel,
        QLayout,
        QLineEdit,
        QListWidget,
        QListWidgetItem,
        QMainWindow,
        QMenu,
        QMessageBox,
        QPlainTextEdit,
        QProgressBar,
        QPushButton,
        QRadioButton,
        QScrollArea,
        QSizePolicy,
        QSpinBox,
        QSplitter,
        QStackedWidget,
        QStyle,
        QStyleFactory,
        QStyleOptionButton,
        QTextBrowser,
        QTextEdit,
        QTreeWidget,
        QTreeWidgetItem,
        QTreeWidgetItemIterator,
        QVBoxLayout,
        QWidget,
    )


def __getattr__(name: str) -> Any:
    """Resolve a re-exported Qt name on first use and keep it as a module global."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name == "QtSvg" or name == "QSvgRenderer":
        from PySide6 import QtSvg

        modules: tuple[Any, ...] = (QtSvg,)
        globals()["QtSvg"] = QtSvg
        if name == "QtSvg":
            return QtSvg
    else:
        modules = (QtCore, QtGui, QtWidgets)
    for module in modules:
        value = getattr(module, name, None)
        if value is not None:
            globals()[name] = value
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def qtest() -> type[QTest]:
    """QtTest, only for the smoke test and screenshots (not needed at start-up)."""
    from PySide6.QtTest import QTest

    return QTest


__all__ = [
    "QAbstractButton",
    "QAbstractItemView",
    "QAction",
    "QApplication",
    "QBuffer",
    "QButtonGroup",
    "QByteArray",
    "QCheckBox",
    "QColor",
    "QComboBox",
    "QCursor",
    "QDate",
    "QDateEdit",
    "QDesktopServices",
    "QDialog",
    "QDialogButtonBox",
    "QDoubleSpinBox",
    "QElapsedTimer",
    "QEvent",
    "QFileDialog",
    "QFont",
    "QFontDatabase",
    "QFormLayout",
    "QFrame",
    "QGridLayout",
    "QGuiApplication",
    "QHBoxLayout",
    "QHeaderView",
    "QIcon",
    "QImage",
    "QItemSelectionModel",
    "QKeySequence",
    "QLabel",
    "QLayout",
    "QLineEdit",
    "QListWidget",
    "QListWidgetItem",
    "QLockFile",
    "QMainWindow",
    "QMenu",
    "QMessageBox",
    "QObject",
    "QPainter",
    "QPalette",
    "QPixmap",
    "QPlainTextEdit",
    "QPoint",
    "QPointF",
    "QProgressBar",
    "QPushButton",
    "QRadioButton",
    "QRect",
    "QScrollArea",
    "QSettings",
    "QShortcut",
    "QSize",
    "QSizePolicy",
    "QSpinBox",
    "QSplitter",
    "QStackedWidget",
    "QStandardItemModel",
    "QStandardPaths",
    "QStyle",
    "QStyleFactory",
    "QStyleOptionButton",
    "QSvgRenderer",
    "QSyntaxHighlighter",
    "QTextBrowser",
    "QTextCharFormat",
    "QTextCursor",
    "QTextDocument",
    "QTextEdit",
    "QTextFormat",
    "QThread",
    "QTimer",
    "QTreeWidget",
    "QTreeWidgetItem",
    "QTreeWidgetItemIterator",
    "QUrl",
    "QVBoxLayout",
    "QWheelEvent",
    "QWidget",
    "Qt",
    "QtCore",
    "QtGui",
    "QtSvg",
    "QtWidgets",
    "Signal",
    "Slot",
    "qtest",
]
