"""desktop-quiz: offline drills for machine-learning interviews.

Layout (Anki's pylib/aqt split): ``desktop_quiz.core`` holds the bank, study
engine, grading, scheduling, statistics and storage and never imports Qt;
``desktop_quiz.gui`` is the thin Qt layer on top.
"""

__version__ = "0.1.0"
APP_NAME = "desktop-quiz"
APP_DISPLAY_NAME = "Desktop Quiz"
ORG_NAME = "desktop-quiz"
