"""The question bank. Owns everything about questions as content.

Owns: parsing and validating ``questions/`` (``source``), rendering Markdown and
math at build time (``render``), building the SQLite bank with sqlite-utils
(``build``), reading it (``reader``), counts (``stats``) and editorial checks
(``lint``).

May import: the core-level primitives (``model``, ``paths``, ``text``). Never
``progress`` or ``study``: the bank knows nothing about learners (lint gets the
recall grader passed in).
"""
