"""Entry point frozen by PyInstaller (same as `python -m desktop_quiz`)."""

import sys

from desktop_quiz.cli import main

if __name__ == "__main__":
    sys.exit(main())
