"""Summaries of a built bank: ``bank stats`` counts and the ``bank dump`` JSON."""

from __future__ import annotations

from typing import Any

from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.core.model import KINDS


def bank_stats(bank: Bank) -> dict[str, Any]:
    """Counts by kind, difficulty and topic (topics in taxonomy order, zeros included)."""
    rows = bank._db.execute(
        "SELECT topic, kind, difficulty, count(*) FROM questions GROUP BY 1, 2, 3"
    ).fetchall()
    by_kind = dict.fromkeys(KINDS, 0)
    by_difficulty = {"1": 0, "2": 0, "3": 0}
    by_topic: dict[str, dict[str, int]] = {
        t.slug: {**dict.fromkeys(KINDS, 0), "total": 0} for t in bank.topics()
    }
    total = 0
    for topic, kind, difficulty, n in rows:
        total += n
        by_kind[kind] += n
        by_difficulty[str(difficulty)] += n
        entry = by_topic.setdefault(topic, {**dict.fromkeys(KINDS, 0), "total": 0})
        entry[kind] += n
        entry["total"] += n
    return {"questions": total, "by_kind": by_kind, "by_difficulty": by_difficulty,
            "by_topic": by_topic}


def format_stats(stats: dict[str, Any], bank: Bank) -> str:
    """A plain table for people: topic, mcq, recall, code, total and the v1 target."""
    targets = {t.slug: t.v1 for t in bank.topics()}
    lines = [f"{'topic':<26} {'mcq':>5} {'recall':>6} {'code':>5} {'total':>6} {'v1':>4}"]
    for slug, c in stats["by_topic"].items():
        mark = "" if c["total"] >= targets.get(slug, 0) else "  < v1"
        lines.append(f"{slug:<26} {c['mcq']:>5} {c['recall']:>6} {c['code']:>5} "
                     f"{c['total']:>6} {targets.get(slug, 0):>4}{mark}")
    d = stats["by_difficulty"]
    n = max(stats["questions"], 1)
    k = stats["by_kind"]
    lines.append(f"{'all':<26} {k['mcq']:>5} {k['recall']:>6} {k['code']:>5} "
                 f"{stats['questions']:>6}")
    lines.append("difficulty: " + ", ".join(
        f"{k}: {d[k]} ({100 * d[k] / n:.0f}%)" for k in ("1", "2", "3")))
    return "\n".join(lines)


def dump_questions(bank: Bank) -> list[dict[str, Any]]:
    """Every question with its Markdown sources, in bank order."""
    out = []
    for qid in bank.all_ids():
        q = bank.question(qid)
        out.append({
            "id": q.id, "topic": q.topic, "kind": q.kind, "difficulty": q.difficulty,
            "tags": list(q.tags), "prompt": q.prompt, "answer": q.answer,
            "choices": [{"text": c.text, "correct": c.correct, "explanation": c.explanation}
                        for c in q.choices],
            "key_points": [{"text": k.text, "alternatives": list(k.alternatives)}
                           for k in q.key_points],
            "hint": q.hint, "references": q.references,
            **({"exercise": {"starter": q.exercise.starter, "tests": q.exercise.tests,
                             "solution": q.exercise.solution,
                             "test_names": [t.name for t in q.exercise.test_cases]}}
               if q.exercise else {}),
        })
    return out
