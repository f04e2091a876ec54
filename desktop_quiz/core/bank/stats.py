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


# Bank v2: every topic has at least this many questions (bank lint enforces it).
MIN_PER_TOPIC = 40
DIFFICULTY_NAMES = {"1": "easy", "2": "medium", "3": "hard"}


def format_stats(stats: dict[str, Any], bank: Bank) -> str:
    """A plain table for people: topic titles, counts per kind, and the minimum."""
    titles = {t.slug: t.title for t in bank.topics()}
    kinds = [k for k in stats["by_kind"] if stats["by_kind"][k] or k in ("mcq", "recall")]
    width = max([len("topic"), *(len(t) for t in titles.values())]) + 2
    head = "".join(f"{k:>8}" for k in kinds)
    lines = [f"{'topic':<{width}}{head}{'total':>8}"]
    short = []
    for slug, c in stats["by_topic"].items():
        row = "".join(f"{c.get(k, 0):>8}" for k in kinds)
        lines.append(f"{titles.get(slug, slug):<{width}}{row}{c['total']:>8}")
        if c["total"] < MIN_PER_TOPIC:
            short.append(titles.get(slug, slug))
    lines.append(f"{'all topics':<{width}}"
                 + "".join(f"{stats['by_kind'][k]:>8}" for k in kinds)
                 + f"{stats['questions']:>8}")
    d = stats["by_difficulty"]
    n = max(stats["questions"], 1)
    lines.append("")
    lines.append("difficulty: " + ", ".join(
        f"{DIFFICULTY_NAMES[k]} {d[k]} ({100 * d[k] / n:.0f}%)" for k in ("1", "2", "3")))
    lines.append(f"every topic needs at least {MIN_PER_TOPIC} questions: "
                 + (f"{len(short)} below ({', '.join(short)})" if short else "all met"))
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
