"""Lossless data export/import: exact round trip, idempotent merge, all or nothing."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_cli


def cli(data: Path, bank: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_cli("--data-dir", str(data), *args, env={"DESKTOP_QUIZ_BANK": str(bank)})


def _fill(data: Path, bank: Path) -> None:
    r = cli(data, bank, "demo", "--days", "40", "--seed", "3")
    assert r.returncode == 0, r.stderr
    db = sqlite3.connect(data / "progress.sqlite")
    with db:
        db.execute("UPDATE answers SET response = 'typed: weight decay' WHERE kind = 'recall'")
        db.execute("UPDATE answers SET response = '[1, 3]' WHERE kind = 'mcq'")
        db.execute("INSERT OR IGNORE INTO flags VALUES "
                   "('arrays-1', '2025-01-01T00:00:00.000+00:00')")
    db.close()
    (data / "settings.json").write_text(json.dumps({"desired_retention": 0.85}), "utf-8")
    own = data / "my-questions" / "arrays" / "my-first.md"
    own.parent.mkdir(parents=True)
    from tests.material.test_userbank import RECALL

    own.write_text(RECALL, "utf-8")


def _dump(data: Path) -> dict[str, list]:
    db = sqlite3.connect(data / "progress.sqlite")
    try:
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
                for t in ("sessions", "flags", "cards")} | {
            "answers": db.execute("SELECT question_id, kind, answered_at, correct, score, rating,"
                                  " duration_ms, mode, session_id, response, stability FROM "
                                  "answers ORDER BY answered_at, id").fetchall()}
    finally:
        db.close()


@pytest.fixture
def exported(tmp_path: Path, study_bank_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "src"
    _fill(src, study_bank_path)
    out = tmp_path / "all.zip"
    r = cli(src, study_bank_path, "data", "export", str(out))
    assert r.returncode == 0, r.stderr
    return src, out


def test_round_trip_into_an_empty_folder_is_exact(exported, tmp_path, study_bank_path):
    src, out = exported
    dst = tmp_path / "dst"
    r = cli(dst, study_bank_path, "data", "import", str(out))
    assert r.returncode == 0, r.stderr
    assert _dump(dst) == _dump(src)
    assert (dst / "settings.json").read_bytes() == (src / "settings.json").read_bytes()
    assert (dst / "my-questions/arrays/my-first.md").is_file()
    as_of = "2030-01-01T00:00:00+00:00"
    a = cli(src, study_bank_path, "stats", "--json", "--as-of", as_of)
    b = cli(dst, study_bank_path, "stats", "--json", "--as-of", as_of)
    assert a.returncode == 0 and a.stdout == b.stdout
    for d in (src, dst):
        r = cli(d, study_bank_path, "history", "export", str(tmp_path / f"{d.name}.csv"))
        assert r.returncode == 0, r.stderr
    assert (tmp_path / "src.csv").read_bytes() == (tmp_path / "dst.csv").read_bytes()
    responses = [row[9] for row in _dump(dst)["answers"]]
    assert "typed: weight decay" in responses and "[1, 3]" in responses


def test_merge_is_idempotent_and_keeps_local_history(exported, tmp_path, study_bank_path):
    _, out = exported
    dst = tmp_path / "dst"
    r = cli(dst, study_bank_path, "demo", "--days", "10", "--seed", "9")
    assert r.returncode == 0, r.stderr
    before = _dump(dst)
    r = cli(dst, study_bank_path, "data", "import", str(out))
    assert r.returncode == 0, r.stderr
    once = _dump(dst)
    assert set(before["answers"]) <= set(once["answers"]) or len(once["answers"]) >= len(
        before["answers"])
    assert len(once["answers"]) == len({(a[0], a[2]) for a in once["answers"]})
    r = cli(dst, study_bank_path, "data", "import", str(out))
    assert r.returncode == 0, r.stderr
    assert "imported 0 answers, 0 sessions, 0 flags" in r.stdout
    assert _dump(dst) == once
    assert list((dst / "backups").rglob("*")) or list(dst.rglob("safety*"))


def _rewrite(src: Path, dst: Path, change) -> Path:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist()}
    change(members)
    with zipfile.ZipFile(dst, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    return dst


def test_damaged_and_foreign_archives_change_nothing(exported, tmp_path, study_bank_path):
    _, out = exported
    dst = tmp_path / "dst"
    r = cli(dst, study_bank_path, "demo", "--days", "5")
    before = _dump(dst)
    tampered = _rewrite(out, tmp_path / "t.zip", lambda m: m.__setitem__(
        "answers.jsonl", m["answers.jsonl"].replace(b'"rating": 3', b'"rating": 4', 1)))
    foreign = _rewrite(out, tmp_path / "f.zip", lambda m: m.__setitem__(
        "manifest.json", b'{"format": "something-else"}'))
    newer = _rewrite(out, tmp_path / "n.zip", lambda m: m.__setitem__(
        "manifest.json", json.dumps({**json.loads(m["manifest.json"]), "version": 99}).encode()))
    truncated = tmp_path / "cut.zip"
    truncated.write_bytes(out.read_bytes()[: out.stat().st_size // 2])
    cases = {tampered: "checksum mismatch", foreign: "not a desktop-quiz data export",
             newer: "newer desktop-quiz", truncated: "not a desktop-quiz data export",
             tmp_path / "missing.zip": "no such file"}
    for archive, message in cases.items():
        r = cli(dst, study_bank_path, "data", "import", str(archive))
        assert r.returncode == 1, archive
        assert message in r.stderr, (archive, r.stderr)
        assert "nothing was imported" in r.stderr
    assert _dump(dst) == before


def test_import_takes_the_lock(exported, tmp_path, study_bank_path):
    from desktop_quiz.core.progress.lock import DataLock

    _, out = exported
    dst = tmp_path / "dst"
    with DataLock(dst, "test"):
        r = cli(dst, study_bank_path, "data", "import", str(out))
    assert r.returncode == 1 and "in use" in r.stderr
