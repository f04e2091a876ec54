"""``desktop-quiz grade``: one answer on stdin, a JSONL batch, and the evaluation figures.

Every test runs the real command in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

ANSWERS = ROOT / "tests" / "grading" / "answers.jsonl"


def grade(bank: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DESKTOP_QUIZ_BANK": str(bank)}
    return subprocess.run([sys.executable, "-m", "desktop_quiz", "grade", *args],
                          input=stdin, capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300)


GOOD = ("L1 (lasso) penalises absolute weights and drives some exactly to zero, so it "
        "selects features; L2 (ridge) penalises squared weights and shrinks them smoothly.")


def test_one_answer_on_stdin_prints_json(fixture_bank: Path) -> None:
    out = grade(fixture_bank, "l1-vs-l2", stdin=GOOD)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["id"] == "l1-vs-l2"
    assert doc["suggested_rating"] == 4 and doc["score"] == 1.0
    assert [p["hit"] for p in doc["points"]] == [True] * 4
    assert all(p["evidence"] and p["evidence"] in GOOD for p in doc["points"])
    wrong = json.loads(grade(fixture_bank, "l1-vs-l2",
                             stdin="L1 doesn’t give sparse weights.").stdout)
    assert wrong["suggested_rating"] == 1
    assert not any(p["hit"] for p in wrong["points"])
    assert all(p["evidence"] is None for p in wrong["points"])


def test_unknown_id_and_wrong_kind_exit_2(fixture_bank: Path) -> None:
    out = grade(fixture_bank, "no-such-question", stdin="x")
    assert out.returncode == 2 and "unknown question id 'no-such-question'" in out.stderr
    mcq = grade(fixture_bank, "gap-remedy", stdin="x")
    assert mcq.returncode == 2 and "not free recall" in mcq.stderr


def test_batch_prints_one_line_per_answer(fixture_bank: Path, tmp_path: Path) -> None:
    batch = tmp_path / "in.jsonl"
    rows = [{"id": "l1-vs-l2", "answer": GOOD}, {"id": "l1-vs-l2", "answer": "no idea"},
            {"id": "bias-definition", "answer": "Bias is systematic error."}]
    batch.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = grade(fixture_bank, "--batch", str(batch))
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [d["id"] for d in lines] == [r["id"] for r in rows]
    for d in lines:
        assert {"id", "score", "suggested_rating", "points"} <= set(d)
        assert 1 <= d["suggested_rating"] <= 4 and 0.0 <= d["score"] <= 1.0
        assert all(set(p) >= {"hit", "evidence"} for p in d["points"])
    assert lines[0]["suggested_rating"] > lines[1]["suggested_rating"]


def test_batch_reports_bad_lines_as_file_line(fixture_bank: Path, tmp_path: Path) -> None:
    batch = tmp_path / "bad.jsonl"
    batch.write_text('{"id": "l1-vs-l2", "answer": "lasso"}\n'
                     "not json\n"
                     '{"id": "nope", "answer": "x"}\n'
                     '{"id": "l1-vs-l2"}\n'
                     '{"id": "gap-remedy", "answer": "x"}\n', encoding="utf-8")
    out = grade(fixture_bank, "--batch", str(batch))
    assert out.returncode == 2
    assert out.stdout == ""  # all or nothing
    errors = out.stderr.splitlines()
    assert errors[0].startswith(f"{batch}:2: ")
    assert errors[1] == f"{batch}:3: unknown question id 'nope'"
    assert errors[2].startswith(f"{batch}:4: ")
    assert errors[3].startswith(f"{batch}:5: ")


def test_eval_prints_every_target_figure(real_bank: Path) -> None:
    out = grade(real_bank, "--eval", str(ANSWERS))
    assert out.returncode == 0, out.stderr
    for label in ("AUC {a,b} vs {c,d}", "AUC {a,b} vs {c}",
                  "wrong-vocabulary (c) suggested above Again",
                  "complete (a) suggested Good or Easy",
                  "terse correct (b) suggested above Again",
                  "grading a 5,000-character answer, p95 ms"):
        assert label in out.stdout


@pytest.mark.parametrize("args", [(), ("l1-vs-l2", "--batch", "x.jsonl")])
def test_grade_needs_exactly_one_mode(fixture_bank: Path, args: tuple[str, ...]) -> None:
    out = grade(fixture_bank, *args)
    assert out.returncode == 2 and "grade takes one of" in out.stderr
