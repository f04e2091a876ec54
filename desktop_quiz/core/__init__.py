"""The Qt-free core, in three parts plus a few shared primitives.

- :mod:`.bank`: the question bank (sources → SQLite bank → reader).
- :mod:`.progress`: the learner's history and everything derived from it.
- :mod:`.study`: studying: sessions and grading.
- Core level: ``paths``, ``config``, ``model`` (types), ``hooks``, ``text`` (stemming)
  and ``context`` (the composition root that opens a bank and a progress database).

Allowed direction: study → progress → bank → core-level primitives. Nothing under
this package imports Qt, the GUI, the CLI or the bench (``tests/test_boundary.py``).
"""
