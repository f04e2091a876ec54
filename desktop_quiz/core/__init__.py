"""The Qt-free core: bank, study engine, grading, scheduling, stats, storage.

Nothing under this package may import PySide6 (a test enforces it).
"""
