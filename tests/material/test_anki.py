"""Anki export, checked by importing the package into a real Anki collection."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from desktop_quiz.core.bank.anki import export_apkg, note_tags
from desktop_quiz.core.bank.reader import Bank
from tests.conftest import run_cli

anki_collection = pytest.importorskip("anki.collection")


def _import(col_path: Path, apkg: Path) -> object:
    from anki import import_export_pb2 as ie

    col = anki_collection.Collection(str(col_path))
    try:
        col.import_anki_package(ie.ImportAnkiPackageRequest(
            package_path=str(apkg),
            options=ie.ImportAnkiPackageOptions()))  # Anki's defaults: update if newer
        notes = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            notes[note["Id"]] = (dict(note.items()), sorted(note.tags),
                                 note.note_type()["name"], note.guid)
        decks = sorted(d.name for d in col.decks.all_names_and_ids())
        cards = col.card_count()
    finally:
        col.close()
    return notes, decks, cards


def _questions(bank_file: Path) -> tuple[list, list]:
    bank = Bank(bank_file)
    try:
        return [bank.question(i) for i in bank.all_ids()], bank.topics()
    finally:
        bank.close()


def test_apkg_imports_into_anki_and_reexport_updates(fixture_source: Path, tmp_path: Path
                                                      ) -> None:
    from desktop_quiz.core.bank.build import build_bank

    bank_file = tmp_path / "b.sqlite"
    build_bank(fixture_source, bank_file)
    questions, topics = _questions(bank_file)
    out = tmp_path / "deck.apkg"
    report = export_apkg(questions, topics, out)
    assert report.notes == len(questions) == 4
    col = tmp_path / "collection.anki2"
    notes, decks, cards = _import(col, out)
    assert len(notes) == 4 and cards == 4
    assert {"desktop-quiz::" + t.title for t in topics} <= set(decks)
    for q in questions:
        fields, tags, model, _ = notes[q.id]
        assert tags == sorted(note_tags(q))
        assert model == ("desktop-quiz MCQ" if q.kind == "mcq" else "desktop-quiz Recall")
        assert f"topic::{q.topic}" in tags
        all_text = " ".join(fields.values())
        assert "$" not in all_text.replace("\\$", "")  # every formula became MathJax
        if q.kind == "mcq":
            assert fields["Key"].startswith("Correct: ")
            assert fields["Explanations"].count('class="dq-why"') == len(q.choices)
            assert "Correct: " + "ABCDEF"[min(q.correct_indices)] in fields["Key"]
    mathy = [n for n in notes.values() if "\\(" in " ".join(n[0].values())
             or "\\[" in " ".join(n[0].values())]
    assert mathy, "the fixture questions have formulas; they must reach Anki as MathJax"

    # Change one question, export again (later, as a user would: Anki's default
    # import updates a note when the incoming one is newer, to the second).
    time.sleep(1.1)
    path = next(fixture_source.rglob("l1-vs-l2.md"))
    path.write_text(path.read_text().replace("## Prompt\n\n", "## Prompt\n\nEDITED "), "utf-8")
    build_bank(fixture_source, bank_file)
    questions2, _ = _questions(bank_file)
    out2 = tmp_path / "deck2.apkg"
    export_apkg(questions2, topics, out2)
    notes2, _, cards2 = _import(col, out2)
    assert len(notes2) == 4 and cards2 == 4
    assert "EDITED" in notes2["l1-vs-l2"][0]["Prompt"]
    assert notes2["l1-vs-l2"][3] == notes["l1-vs-l2"][3]  # same GUID


def test_code_is_highlighted_inline_and_math_is_mathjax() -> None:
    from desktop_quiz.core.bank.anki import AnkiRenderer

    r = AnkiRenderer()
    out = r.html("Loss $L = \\sum_i x_i$ and\n\n$$a^2 + b^2$$\n\n```python\nx = 1\n```")
    assert "\\(L = \\sum_i x_i\\)" in out
    assert "\\[a^2 + b^2\\]" in out
    assert 'style="' in out and "class=\"highlight\"" not in out


def test_cli_export_anki_filters(fixture_bank: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.apkg"
    env = {"DESKTOP_QUIZ_BANK": str(fixture_bank)}
    r = run_cli("export", "anki", str(out), "--topic", "alpha", "--kind", "recall", env=env)
    assert r.returncode == 0, r.stderr
    assert "exported 1 notes" in r.stdout or "exported" in r.stdout
    r = run_cli("export", "anki", str(out), "--topic", "nope", env=env)
    assert r.returncode == 1 and "unknown topic" in r.stderr
    r = run_cli("export", "anki", str(out), "--mine", env=env)
    assert r.returncode == 1 and "no questions of your own" in r.stderr
