"""Measure the recall grader on a set of labelled answers (``desktop-quiz grade --eval``).

The set is JSON lines ``{"id", "kind", "answer"}`` where ``kind`` is ``a`` (a complete
paraphrase), ``b`` (terse but correct), ``c`` (wrong, with the right vocabulary) or
``d`` (fluent but off-topic); ``tests/grading/README.md`` says how ours was written.
The figures are those of issue 12's targets.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.core.model import Question, Rating
from desktop_quiz.core.study.grading import RecallResult, grade_recall

KINDS = ("a", "b", "c", "d")
LONG_ANSWER_CHARS = 5000
# figure → (target, True when higher is better)
TARGETS: dict[str, tuple[float, bool]] = {
    "auc_ab_vs_cd": (0.95, True),
    "auc_ab_vs_c": (0.90, True),
    "c_above_again": (0.20, False),
    "a_good_or_easy": (0.90, True),
    "b_above_again": (0.85, True),
    "p95_ms_5000_chars": (20.0, False),
}
LABELS = {
    "auc_ab_vs_cd": "AUC {a,b} vs {c,d}",
    "auc_ab_vs_c": "AUC {a,b} vs {c}",
    "c_above_again": "wrong-vocabulary (c) suggested above Again",
    "a_good_or_easy": "complete (a) suggested Good or Easy",
    "b_above_again": "terse correct (b) suggested above Again",
    "p95_ms_5000_chars": "grading a 5,000-character answer, p95 ms",
}


class EvalError(Exception):
    """Bad lines in the evaluation file: ``file:line: message`` each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Graded:
    id: str
    kind: str
    result: RecallResult


def read_rows(path: Path, bank: Bank, fields: tuple[str, ...]
              ) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """(line, row) of a JSON-lines file whose rows hold string ``fields`` and a known
    question ``id``; every other line becomes a ``file:line: message`` problem."""
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[str] = []
    known = set(bank.all_ids())
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{n}: not JSON ({exc.msg})")
            continue
        if not isinstance(row, dict) or not all(isinstance(row.get(k), str) for k in fields):
            shown = ", ".join(f'"{k}": string' for k in fields)
            problems.append(f"{path}:{n}: expected {{{shown}}}")
        elif row["id"] not in known:
            problems.append(f"{path}:{n}: unknown question id {row['id']!r}")
        else:
            rows.append((n, row))
    return rows, problems


def load(path: Path, bank: Bank) -> list[tuple[str, str, str]]:
    """(id, kind, answer) rows; every problem is reported as ``file:line: message``."""
    found, problems = read_rows(path, bank, ("id", "kind", "answer"))
    rows = []
    for n, row in found:
        if row["kind"] not in KINDS:
            problems.append(f"{path}:{n}: kind {row['kind']!r} is not one of a, b, c, d")
        else:
            rows.append((row["id"], row["kind"], row["answer"]))
    if problems:
        raise EvalError(problems)
    return rows


def auc(pos: Sequence[float], neg: Sequence[float]) -> float:
    """Probability that a random positive scores above a random negative (ties: half)."""
    if not pos or not neg:
        return float("nan")
    ordered = sorted(neg)
    import bisect

    total = 0.0
    for p in pos:
        lo, hi = bisect.bisect_left(ordered, p), bisect.bisect_right(ordered, p)
        total += lo + (hi - lo) / 2
    return total / (len(pos) * len(neg))


def figures(graded: Sequence[Graded]) -> dict[str, float]:
    by = {k: [g.result for g in graded if g.kind == k] for k in KINDS}
    score = {k: [r.score for r in v] for k, v in by.items()}

    def share(kind: str, ok: Callable[[RecallResult], bool]) -> float:
        return sum(map(ok, by[kind])) / len(by[kind]) if by[kind] else float("nan")

    out = {
        "auc_ab_vs_cd": auc(score["a"] + score["b"], score["c"] + score["d"]),
        "auc_ab_vs_c": auc(score["a"] + score["b"], score["c"]),
        "c_above_again": share("c", lambda r: r.suggested > Rating.AGAIN),
        "a_good_or_easy": share("a", lambda r: r.suggested >= Rating.GOOD),
        "b_above_again": share("b", lambda r: r.suggested > Rating.AGAIN),
    }
    for k in KINDS:
        out[f"mean_score_{k}"] = sum(score[k]) / len(score[k]) if score[k] else float("nan")
        out[f"n_{k}"] = float(len(score[k]))
    return out


def p95_ms(questions: Sequence[tuple[Question, str]], repeats: int = 3,
           clock: Callable[[], float] = time.perf_counter) -> float:
    """95th percentile of the time to grade each (question, answer), in milliseconds.

    Wall-clock time by default; ``clock=time.process_time`` gives the CPU time, which
    other work on a busy machine does not inflate.
    """
    times = []
    for _ in range(repeats):
        for q, text in questions:
            t0 = clock()
            grade_recall(q, text)
            times.append((clock() - t0) * 1000)
    times.sort()
    return times[min(len(times) - 1, int(0.95 * len(times)))] if times else float("nan")


def long_answers(bank: Bank, ids: Sequence[str], chars: int = LONG_ANSWER_CHARS
                 ) -> list[tuple[Question, str]]:
    """For each question, ``chars`` characters of other model answers from its topic."""
    by_topic: dict[str, list[str]] = {}
    questions = [bank.question(i) for i in ids]
    for qid in bank.all_ids():
        q = bank.question(qid)
        if q.kind == "recall":
            by_topic.setdefault(q.topic, []).append(q.answer)
    out = []
    for q in questions:
        others = [a for a in by_topic.get(q.topic, []) if a != q.answer] or [q.answer]
        text = " ".join(others)
        while len(text) < chars:
            text += " " + text
        out.append((q, text[:chars]))
    return out


def evaluate(bank: Bank, path: Path, timing: bool = True) -> dict[str, float]:
    rows = load(path, bank)
    cache: dict[str, Question] = {}
    graded = []
    for qid, kind, text in rows:
        q = cache.get(qid) or cache.setdefault(qid, bank.question(qid))
        graded.append(Graded(qid, kind, grade_recall(q, text)))
    out = figures(graded)
    if timing:
        jobs = long_answers(bank, sorted(cache))
        p95_ms(jobs[:5], repeats=1)  # warm caches
        out["p95_ms_5000_chars"] = p95_ms(jobs)
        out["p95_cpu_ms_5000_chars"] = p95_ms(jobs, repeats=1, clock=time.process_time)
    return out


def format_figures(figs: dict[str, float]) -> str:
    lines = [f"{'figure':<46} {'value':>7}  target"]
    for key, label in LABELS.items():
        if key not in figs:
            continue
        target, higher = TARGETS[key]
        value = figs[key]
        ok = value >= target if higher else value <= target
        shown = f"{value:.1f}" if key.startswith("p95") else (
            f"{value:.3f}" if key.startswith("auc") else f"{100 * value:.1f}%")
        want = f"{target:g}" if key.startswith(("p95", "auc")) else f"{100 * target:.0f}%"
        lines.append(f"{label:<46} {shown:>7}  {'≥' if higher else '≤'} {want}"
                     f"  {'ok' if ok else 'MISSED'}")
    if "p95_cpu_ms_5000_chars" in figs:
        lines.append(f"{'  the same in CPU time (not slowed by other work)':<46} "
                     f"{figs['p95_cpu_ms_5000_chars']:>7.1f}")
    means = " ".join(f"{k} {figs[f'mean_score_{k}']:.2f}" for k in KINDS
                     if f"mean_score_{k}" in figs)
    lines.append(f"mean score by kind: {means}")
    return "\n".join(lines)
