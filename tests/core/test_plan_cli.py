"""``desktop-quiz plan set|show|clear`` through a real subprocess."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import run_cli


@pytest.fixture
def env(study_bank_path: Path, tmp_path: Path) -> dict[str, str]:
    return {"DESKTOP_QUIZ_BANK": str(study_bank_path),
            "DESKTOP_QUIZ_DATA_DIR": str(tmp_path / "cli-data")}


def test_set_show_json_and_clear(env):
    when = (date.today() + timedelta(days=12)).isoformat()
    r = run_cli("plan", "show", env=env)
    assert r.returncode == 1 and "no interview date" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("plan", "set", "--date", when, "--minutes", "30", "--focus", "graphs",
                "trees", "--days-off", "sun,sat", env=env)
    assert r.returncode == 0, r.stderr
    assert f"interview on {when}; 30 minutes a day; days off: sat,sun" in r.stdout
    r = run_cli("plan", "show", "--json", env=env)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert list(doc) == ["interview_date", "minutes_per_day", "days", "forecast", "verdict"]
    assert doc["interview_date"] == when and doc["minutes_per_day"] == 30
    assert [d["date"] for d in doc["days"]] == [
        (date.today() + timedelta(days=i)).isoformat() for i in range(12)]
    for d in doc["days"]:
        weekday = date.fromisoformat(d["date"]).weekday()
        if weekday >= 5:
            assert d["items"] == []
        for item in d["items"]:
            assert set(item) == {"kind", "topic", "count", "minutes"}
            assert item["kind"] in ("review", "new", "weak", "mock")
            assert item["count"] > 0 and item["minutes"] > 0
    topics = {f["topic"] for f in doc["forecast"]}
    assert topics == {"arrays", "graphs", "hashing", "sorting", "trees"}
    for f in doc["forecast"]:
        assert set(f) == {"topic", "plan", "plan_low", "plan_high", "stop"}
        assert 0 <= f["plan_low"] <= f["plan"] <= f["plan_high"] <= 1
    assert doc["verdict"] == "on track" or doc["verdict"].startswith("behind by ")
    r = run_cli("plan", "show", "--json", "--days", "2", env=env)
    assert len(json.loads(r.stdout)["days"]) == 2
    r = run_cli("plan", "show", "--days", "3", env=env)
    assert r.returncode == 0 and f"Interview on {when}" in r.stdout
    assert "Forecast at the interview" in r.stdout
    r = run_cli("plan", "clear", env=env)
    assert r.returncode == 0 and "cleared" in r.stdout
    r = run_cli("plan", "show", env=env)
    assert r.returncode == 1


@pytest.mark.parametrize("args, message", [
    (["--date", "2020-01-01"], "in the past"),
    (["--date", "tomorrow"], "expected a date like"),
    (["--date", "2026-02-30"], "expected a date like"),
    (["--date", "{soon}", "--minutes", "3"], "--minutes must be at least 10"),
    (["--date", "{soon}", "--minutes", "x"], "invalid int value"),
    (["--date", "{soon}", "--days-off", "mon,funday"], "funday is not a weekday"),
    (["--date", "{soon}", "--days-off", "mon,tue,wed,thu,fri,sat,sun"], "at least one day"),
    (["--date", "{soon}", "--focus", "nonsense"], "no such topic: nonsense"),
    (["--date", "{far}"], "within"),
])
def test_bad_input_is_one_line_and_exit_2(env, args, message):
    soon = (date.today() + timedelta(days=5)).isoformat()
    far = (date.today() + timedelta(days=4000)).isoformat()
    argv = [a.format(soon=soon, far=far) for a in args]
    r = run_cli("plan", "set", *argv, env=env)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr and "Traceback" not in r.stderr
    assert len([line for line in r.stderr.splitlines() if line.startswith("desktop-quiz")]) == 1
    assert not (Path(env["DESKTOP_QUIZ_DATA_DIR"]) / "settings.json").exists() or \
        '"interview_date": ""' in (Path(env["DESKTOP_QUIZ_DATA_DIR"]) / "settings.json"
                                   ).read_text() or "interview_date" not in (
        Path(env["DESKTOP_QUIZ_DATA_DIR"]) / "settings.json").read_text()


def test_show_negative_days_is_refused(env):
    r = run_cli("plan", "show", "--days", "-1", env=env)
    assert r.returncode == 2 and "--days" in r.stderr
