"""The learner's progress. Owns the history and everything derived from it.

Owns: the progress database and its migrations (``storage``), backups, checks and
restores (``backup``), CSV history import/export (``history``), FSRS scheduling
(``scheduling``), the mastery model (``mastery``), the per-day mastery engine and
its cache (``engine``), the ``stats`` reports (``report``) and demo histories
(``demo``).

May import: the core-level primitives and ``bank``. Never ``study``.
"""
