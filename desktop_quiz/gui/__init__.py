"""The Qt layer: thin views over desktop_quiz.core. Qt is imported only via gui.qt."""
