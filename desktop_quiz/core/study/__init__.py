"""Studying. Owns what happens while a learner answers questions.

Owns: drill and review sessions (``session``) and grading of answers
(``grading``); the home of coding exercises and the study planner.

May import: the core-level primitives, ``bank`` and ``progress``.
"""
