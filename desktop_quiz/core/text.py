"""Word stemming shared by bank search (FTS queries) and recall grading.

A small core-level primitive: the bank package may not import study, yet both
must stem words the same way.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def stemmer() -> Any:
    """PyStemmer's English Snowball stemmer, loaded on first use."""
    import Stemmer

    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    """The Snowball stem of one lower-case word."""
    return str(stemmer().stemWord(word))
