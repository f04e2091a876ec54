"""`desktop-quiz bench --quick --json` runs and reports every figure (times are not judged)."""

from __future__ import annotations

import json
from pathlib import Path

from desktop_quiz.bench import KEYS, format_table, verdicts
from tests.conftest import run_cli


def test_bench_quick_json_has_every_figure(real_bank: Path) -> None:
    result = run_cli("bench", "--quick", "--json", timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout)
    assert set(figures) == {*KEYS, "machine"}
    for key in KEYS:
        assert isinstance(figures[key], (int, float)) and figures[key] >= 0, key
    assert figures["startup_ratio"] > 0 and figures["rss_mb_start"] > 0
    machine = figures["machine"]
    assert machine["quick"] is True and machine["cpu_count"] >= 1
    assert isinstance(machine["qt"], str) and isinstance(machine["python"], str)
    # the human form names every budgeted figure with a verdict
    table = format_table(figures)
    for name, _value, _budget, _met in verdicts(figures):
        assert name in table
