"""History CSV: export, all-or-nothing import, idempotence, and live-equivalence."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.core.context import AppContext
from desktop_quiz.core.progress import engine, history
from desktop_quiz.core.progress.demo import fill_demo
from desktop_quiz.core.progress.storage import Answer, Progress, utcnow
from desktop_quiz.core.study.session import DrillSpec, Session, assemble
from tests.conftest import run_cli

HEADER = "answered_at,question_id,kind,correct,score,rating,duration_ms,mode"
UTC = timezone.utc


def write(path: Path, *rows: str, header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def cli(data: Path, bank: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_cli("--data-dir", str(data), *args, env={"DESKTOP_QUIZ_BANK": str(bank)})


GOOD = ("2025-01-05T09:00:00+00:00,arrays-1,mcq,1,1.0,3,12000,drill",
        "2025-01-05T09:01:00.250+01:00,arrays-2,mcq,0,0.0,1,8000,drill",
        "2025-01-06T10:00:00Z,arrays-3,recall,1,0.67,2,45000,mock")


def test_export_writes_the_exact_header_and_every_answer(tmp_path, study_ctx):
    fill_demo(study_ctx, days=10, seed=1)
    out = tmp_path / "history.csv"
    assert history.export_csv(study_ctx.progress, out) == study_ctx.progress.answer_count()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    assert len(lines) == study_ctx.progress.answer_count() + 1
    first = lines[1].split(",")
    assert datetime.fromisoformat(first[0]).tzinfo is not None
    assert first[3] in ("0", "1") and 0 <= float(first[4]) <= 1 and first[5] in "1234"
    assert [ln.split(",")[0] for ln in lines[1:]] == sorted(ln.split(",")[0] for ln in lines[1:])


def test_round_trip_gives_the_same_answers_and_card_states(tmp_path, study_ctx,
                                                           study_bank_path):
    fill_demo(study_ctx, days=20, seed=2)
    out = tmp_path / "history.csv"
    history.export_csv(study_ctx.progress, out)
    other = Progress(tmp_path / "other")
    try:
        report = history.import_csv(other, out, set(study_ctx.bank.all_ids()))
        assert report.added == study_ctx.progress.answer_count() and report.already == 0

        def fields(p: Progress) -> list[tuple[object, ...]]:
            return [(a.question_id, a.kind, a.answered_at, a.correct, a.score, a.rating,
                     a.duration_ms, a.mode) for a in p.answers()]

        assert fields(other) == fields(study_ctx.progress)
        cards = "SELECT question_id, card, due, stability, last_review FROM cards ORDER BY 1"
        assert other.db.execute(cards).fetchall() == study_ctx.progress.db.execute(cards).fetchall()
        stab = "SELECT question_id, answered_at, stability FROM answers ORDER BY 1, 2"
        assert other.db.execute(stab).fetchall() == study_ctx.progress.db.execute(stab).fetchall()
    finally:
        other.close()


def test_import_is_all_or_nothing_with_every_bad_row_reported(tmp_path, study_bank_path):
    data = tmp_path / "data"
    bad = write(tmp_path / "bad.csv",
                GOOD[0],
                "2025-01-05 09:00:00,arrays-4,mcq,1,1.0,3,12000,drill",  # line 3: no timezone
                GOOD[1],
                "2025-01-05T09:03:00+00:00,arrays-5,quiz,2,1.5,7,-4,exam",  # line 5: 6 problems
                "2025-01-05T09:04:00+00:00,arrays-6,mcq,1,1.0,1,100,drill",  # line 6: right+Again
                "2025-01-05T09:05:00+00:00,arrays-7,mcq,1",  # line 7: too few fields
                GOOD[2])
    result = cli(data, study_bank_path, "history", "import", str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = result.stderr.splitlines()
    assert errors[-1] == "9 problem(s); nothing was imported"
    lines = [e.split(":")[1] for e in errors[:-1]]
    assert lines == ["3", "5", "5", "5", "5", "5", "5", "6", "7"]
    assert all(e.startswith(f"{bad}:") for e in errors[:-1])
    assert any("timezone" in e for e in errors) and any("rating '7'" in e for e in errors)
    # Nothing at all was stored.
    progress = Progress(data)
    assert progress.answer_count() == 0
    progress.close()


def test_unknown_question_ids_are_reported_and_can_be_skipped(tmp_path, study_bank_path):
    data = tmp_path / "data"
    f = write(tmp_path / "h.csv", GOOD[0],
              "2025-01-05T09:10:00+00:00,retired-question,mcq,1,1.0,3,9000,drill",
              GOOD[1],
              "2025-01-05T09:11:00+00:00,retired-question,mcq,0,0.0,1,9000,drill")
    refused = cli(data, study_bank_path, "history", "import", str(f))
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[0] == (
        f"{f}:3: unknown question id 'retired-question' (and 1 more rows): it is not in this "
        "question bank; --skip-unknown imports the other rows")
    assert "nothing was imported" in refused.stderr

    done = cli(data, study_bank_path, "history", "import", str(f), "--skip-unknown")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("imported 2 answers; skipped 2 rows of 1 unknown question "
                                   "(retired-question)")
    progress = Progress(data)
    assert sorted(a.question_id for a in progress.answers()) == ["arrays-1", "arrays-2"]
    progress.close()


def test_reimporting_the_same_file_adds_nothing(tmp_path, study_bank_path):
    data = tmp_path / "data"
    f = write(tmp_path / "h.csv", *GOOD, GOOD[0])  # a repeated row inside the file too
    first = cli(data, study_bank_path, "history", "import", str(f))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "imported 3 answers"
    second = cli(data, study_bank_path, "history", "import", str(f))
    assert second.stdout.strip() == "imported 0 answers (3 already present)"
    progress = Progress(data)
    assert progress.answer_count() == 3
    assert len(progress.seen_ids()) == 3
    progress.close()


def test_conflicting_duplicates_in_one_file_are_an_error(tmp_path):
    f = write(tmp_path / "h.csv", GOOD[0], GOOD[0].replace(",3,12000,", ",4,12000,"))
    with pytest.raises(history.HistoryError) as err:
        history.read_csv(f)
    assert err.value.problems == [f"{f}:3: same question and time as line 2 but different values"]


@pytest.mark.parametrize(("content", "message"), [
    ("", ":1: the file is empty"),
    ("answered_at,question_id,kind\n", ":1: expected the header " + HEADER),
    ("\ufeff" + HEADER + "\n" + GOOD[0] + "\n", None),  # a BOM (Excel) is fine
    (HEADER + "\r\n" + GOOD[0] + "\r\n\r\n", None),  # so are CRLF and blank lines
])
def test_header_and_encoding(tmp_path, content, message):
    f = tmp_path / "h.csv"
    f.write_text(content, encoding="utf-8", newline="")
    if message is None:
        answers, report = history.read_csv(f)
        assert [a.question_id for a in answers] == ["arrays-1"] and report.rows == 1
    else:
        with pytest.raises(history.HistoryError) as err:
            history.read_csv(f)
        assert err.value.problems[0].startswith(str(f)) and message in err.value.problems[0]


def test_unreadable_files_give_one_clear_line(tmp_path, study_bank_path):
    data = tmp_path / "data"
    missing = cli(data, study_bank_path, "history", "import", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1
    assert missing.stderr.splitlines()[0] == f"{tmp_path / 'nope.csv'}: no such file"
    binary = tmp_path / "bin.csv"
    binary.write_bytes(HEADER.encode() + b"\n\xff\xfe\x00junk\n")
    result = cli(data, study_bank_path, "history", "import", str(binary))
    assert result.returncode == 1 and "not UTF-8" in result.stderr
    assert "Traceback" not in result.stderr
    unwritable = cli(data, study_bank_path, "history", "export", str(tmp_path / "no" / "x.csv"))
    assert unwritable.returncode == 1 and "cannot write" in unwritable.stderr
    assert "Traceback" not in unwritable.stderr


def test_future_answers_are_refused(tmp_path):
    when = (utcnow() + timedelta(days=3)).isoformat()
    f = write(tmp_path / "h.csv", f"{when},arrays-1,mcq,1,1.0,3,12000,drill")
    with pytest.raises(history.HistoryError, match="in the future"):
        history.read_csv(f)


def _answer_live(ctx: AppContext, seed: int) -> None:
    """A drill through study.Session, as the GUI drives it, with rating overrides."""
    import random

    rng = random.Random(seed)
    ids = assemble(ctx.bank, DrillSpec(count=16), ctx.progress, rng=rng)
    ticks = itertools.count()
    session = Session(ctx.bank, ctx.progress, ids, clock=lambda: next(ticks) * 7.5)
    while not session.finished:
        q = session.question
        if q.kind == "mcq":
            right = [i for i, c in enumerate(q.choices) if c.correct]
            session.answer_mcq(right if rng.random() < 0.7 else [len(q.choices) - 1])
        else:
            session.check_recall(rng.choice(["apple pear plum", "apple", "no idea"]))
            session.rate(rng.choice([1, 2, 3, 4]))  # the learner's last word
        session.next()


def test_import_reproduces_the_stats_of_answering_live(tmp_path, study_bank_path):
    live = AppContext.open(tmp_path / "live", Bank(study_bank_path))
    try:
        _answer_live(live, seed=5)
        _answer_live(live, seed=6)  # questions seen twice, ratings amended
        out = tmp_path / "live.csv"
        history.export_csv(live.progress, out)
    finally:
        live.close()
    imported = tmp_path / "imported"
    result = cli(imported, study_bank_path, "history", "import", str(out))
    assert result.returncode == 0, result.stderr
    as_of = (utcnow() + timedelta(days=2)).isoformat()
    a = cli(tmp_path / "live", study_bank_path, "stats", "--json", "--as-of", as_of)
    b = cli(imported, study_bank_path, "stats", "--json", "--as-of", as_of)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    doc = json.loads(a.stdout)
    assert sum(t["attempts"] for t in doc["topics"]) == 32
    assert json.loads(b.stdout) == doc
    # Mastery over time too, day by day.
    ctx_a = AppContext.open(tmp_path / "live", Bank(study_bank_path))
    ctx_b = AppContext.open(imported, Bank(study_bank_path))
    try:
        now = datetime.fromisoformat(as_of).astimezone(UTC)
        ha = engine.mastery_over_time(ctx_a, 7, now)
        hb = engine.mastery_over_time(ctx_b, 7, now)
        assert (ha.mastery == hb.mastery).all() and (ha.low == hb.low).all()
    finally:
        ctx_a.close()
        ctx_b.close()


def test_import_into_fires_the_progress_hook(tmp_path, study_ctx):
    fired: list[int] = []
    study_ctx.hooks.progress_changed.connect(lambda: fired.append(1))
    f = write(tmp_path / "h.csv", *GOOD)
    assert history.import_into(study_ctx, f).added == 3
    assert fired == [1]
    assert history.import_into(study_ctx, f).added == 0
    assert fired == [1]  # nothing changed, nothing to refresh


def test_imported_answers_replay_cards_in_time_order(tmp_path, study_ctx):
    # An answer older than the card's last review rebuilds the card from the whole log.
    t = datetime(2025, 1, 5, 9, 0, tzinfo=UTC)
    study_ctx.progress.record(Answer("arrays-1", "mcq", t + timedelta(days=3), True, 1.0, 3, 9000))
    f = write(tmp_path / "h.csv", GOOD[0])  # 2025-01-05, before the live answer
    history.import_into(study_ctx, f)
    expected = None
    for when, rating in ((t, 3), (t + timedelta(days=3), 3)):
        expected = study_ctx.progress.scheduling.review(expected, rating, when)
    row = study_ctx.progress.db.execute(
        "SELECT stability FROM cards WHERE question_id = 'arrays-1'").fetchone()
    assert row[0] == pytest.approx(expected.stability, rel=1e-12)
