"""The ``desktop-quiz stats`` documents: mastery now (numpy engine) as JSON or a table.

Apart from :mod:`.mastery` (the model, no numpy) and :mod:`.engine` (the per-day
engine) so that neither of those imports the other's reports.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from desktop_quiz.core.progress.engine import topic_mastery
from desktop_quiz.core.progress.mastery import Source, _resolve, streak_days
from desktop_quiz.core.progress.storage import iso, utcnow


def stats_json(source: Source, now: datetime | None = None,
               tz: tzinfo | None = None) -> dict[str, object]:
    """The ``desktop-quiz stats --json`` document."""
    now = now or utcnow()
    topics = topic_mastery(source, now, tz)
    return {"as_of": iso(now), "due_today": sum(t.due for t in topics),
            "streak_days": streak_days(source, now, tz),
            "topics": [t.to_json() for t in topics]}


def format_table(source: Source, now: datetime | None = None, tz: tzinfo | None = None) -> str:
    """The readable ``desktop-quiz stats`` table."""
    now = now or utcnow()
    catalog, _ = _resolve(source)
    doc = stats_json(source, now, tz)
    topics: list[dict[str, Any]] = doc["topics"]  # type: ignore[assignment]
    local = now.astimezone(tz)
    streak = int(doc["streak_days"])  # type: ignore[call-overload]
    lines = [f"Mastery as of {local:%Y-%m-%d %H:%M} · {doc['due_today']} due today · "
             f"streak {streak} day{'s' if streak != 1 else ''}", ""]
    width = max([len(catalog.title(t["topic"])) for t in topics] + [5])
    header = (f"{'topic':<{width}}  {'mastery':>7}  {'90% range':>9}  {'seen':>9}  "
              f"{'answers':>7}  {'due':>4}")
    lines += [header, "─" * len(header)]
    for t in topics:
        started = t["attempts"] > 0
        mastery = f"{t['mastery']:.0%}" if started else "–"
        span = f"{t['low']:.0%}–{t['high']:.0%}" if started else "not started"
        seen = f"{t['seen']}/{t['total']}"
        lines.append(f"{catalog.title(t['topic']):<{width}}  {mastery:>7}  {span:>9}  "
                     f"{seen:>9}  {t['attempts']:>7}  {t['due']:>4}")
    if not any(t["attempts"] for t in topics):
        lines += ["", "No answers yet: start a drill, and mastery appears here."]
    return "\n".join(lines)
