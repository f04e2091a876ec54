import sys

from desktop_quiz.cli import main

sys.exit(main())
