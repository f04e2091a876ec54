"""Validate answers.jsonl against the prompt ids (stdlib only).

Usage: python tests/grading/check_answers.py [PROMPTS_JSONL]
Checks: valid JSON per line, fields id/kind/answer, kind in a-d, every prompt id
has exactly the four kinds, no unknown ids, file ordered by (id, kind).
"""
import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ANSWERS = HERE / "answers.jsonl"
KINDS = ("a", "b", "c", "d")


def main(prompts_path=None):
    rows = [json.loads(line) for line in ANSWERS.read_text(encoding="utf-8").splitlines()]
    kinds = defaultdict(list)
    for r in rows:
        assert set(r) == {"id", "kind", "answer"}, r
        assert r["kind"] in KINDS, r
        assert isinstance(r["answer"], str) and r["answer"].strip(), r
        kinds[r["id"]].append(r["kind"])
    for i, ks in kinds.items():
        assert sorted(ks) == list(KINDS), (i, ks)
    keys = [(r["id"], r["kind"]) for r in rows]
    assert keys == sorted(keys), "not ordered by id then kind"
    if prompts_path:
        lines = Path(prompts_path).read_text(encoding="utf-8").splitlines()
        ids = [json.loads(line)["id"] for line in lines if line.strip()]
        assert set(ids) == set(kinds), (set(ids) ^ set(kinds))
        assert len(rows) == 4 * len(ids)
    print(f"ok: {len(rows)} lines, {len(kinds)} ids x {len(KINDS)} kinds")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
