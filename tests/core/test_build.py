"""Bank builder and reader: atomic, deterministic, pre-rendered, sanitized, searchable."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from desktop_quiz.core.bank.build import (
    BANK_SCHEMA_VERSION,
    BUILDER_VERSION,
    build_bank,
    is_stale,
    read_meta,
)
from desktop_quiz.core.bank.reader import Bank, Filter
from desktop_quiz.core.bank.render import Renderer, sanitize
from desktop_quiz.core.bank.source import SourceError, parse_folder
from tests.conftest import run_cli


def test_meta_table(fixture_bank: Path) -> None:
    meta = read_meta(fixture_bank)
    assert meta["schema_version"] == str(BANK_SCHEMA_VERSION)
    assert meta["builder_version"] == BUILDER_VERSION
    assert meta["question_count"] == "4"
    assert len(meta["source_hash"]) == 64


def test_build_is_deterministic(fixture_source: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    build_bank(fixture_source, a)
    build_bank(fixture_source, b)
    assert a.read_bytes() == b.read_bytes()


def test_failed_build_leaves_previous_bank_untouched(fixture_source: Path, tmp_path: Path) -> None:
    out = tmp_path / "bank.sqlite"
    build_bank(fixture_source, out)
    before = out.read_bytes()
    (fixture_source / "alpha" / "broken.md").write_text("no front matter\n")
    with pytest.raises(SourceError):
        build_bank(fixture_source, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("bank")) == [
        "bank.sqlite"]  # no temp files left behind


def test_stale_check_follows_content(fixture_source: Path, fixture_bank: Path) -> None:
    assert not is_stale(fixture_source, fixture_bank)
    path = fixture_source / "alpha" / "gap-remedy.md"
    path.write_text(path.read_text().replace("Which change", "Which single change"))
    assert is_stale(fixture_source, fixture_bank)


def test_html_is_prerendered_with_code_tables_and_math(fixture_bank: Path) -> None:
    bank = Bank(fixture_bank)
    q = bank.question("l1-vs-l2")
    assert "<table>" in q.answer_html and "<td>sparse</td>" in q.answer_html
    assert '<pre style="background-color:' in q.answer_html  # highlighted code block
    assert "<span style=" in q.answer_html  # Pygments inline styles
    imgs = [s.split('"')[0] for s in q.answer_html.split('src="math:')[1:]]
    assert len(imgs) == 1  # the display formula; inline $\lambda$ is typeset as text
    assert "<i>λ</i>" in q.answer_html
    for key in imgs:
        svg = bank.math_svg(key)
        assert svg is not None and svg.startswith("<svg") and 'fill="black"' in svg
    assert "$" not in q.answer_html


def test_each_distinct_formula_is_stored_once(fixture_source: Path, tmp_path: Path) -> None:
    extra = (fixture_source / "alpha" / "gap-remedy.md").read_text().replace(
        "High variance", "Again $\\text{Bias}^2 + \\text{Var}$ and $\\text{Bias}^2 + \\text{Var}$.")
    (fixture_source / "beta" / "gap-copy.md").write_text(extra)
    out = tmp_path / "b.sqlite"
    build_bank(fixture_source, out)
    db = sqlite3.connect(out)
    texes = [r[0] for r in db.execute("SELECT tex FROM math")]
    assert texes.count("\\text{Bias}^2 + \\text{Var}") == 1


def test_sanitizer_drops_scripts_handlers_and_remote_urls() -> None:
    dirty = ('<p onclick="x()">hi<script>alert(1)</script><a href="https://ok.example/">l</a>'
             '<img src="https://evil.example/t.png"><img src="math:abc"></p>')
    clean = sanitize(dirty)
    assert "script" not in clean and "onclick" not in clean
    assert "evil.example" not in clean  # no remote image
    assert 'href="https://ok.example/"' in clean  # https links survive (system browser)
    assert 'src="math:abc"' in clean


@pytest.mark.parametrize("url", ["/dev/zero", "/etc/passwd", "//host/share/x.png",
                                 "file:///etc/passwd", "data:image/png;base64,AAAA",
                                 "relative.png", "../up.png", "qrc:/x.png", "math:../x"])
def test_sanitizer_keeps_no_image_the_builder_did_not_make(url: str) -> None:
    clean = sanitize(f'<img src="{url}"><a href="{url}">t</a>')
    assert url not in clean and "src=" not in clean and "href=" not in clean


def test_raw_html_in_markdown_is_neutralized() -> None:
    html = Renderer().html('Text <script>alert("x")</script> <b onmouseover="y">b</b>')
    assert "<script" not in html and "onmouseover" not in html


def test_filters_and_full_text_search(fixture_bank: Path) -> None:
    bank = Bank(fixture_bank)
    assert bank.count() == 4
    assert bank.query(Filter(kinds=("mcq",))) == ["gap-remedy", "pick-metrics"]
    assert bank.query(Filter(topics=("beta",), kinds=("recall",))) == ["bias-definition"]
    assert bank.query(Filter(difficulties=(3,))) == ["pick-metrics"]
    assert bank.query(Filter(tags=("seed",))) == ["gap-remedy", "l1-vs-l2"]
    assert bank.query(Filter(ids=("l1-vs-l2", "nope"))) == ["l1-vs-l2"]
    assert bank.query(Filter(ids=())) == []
    # prefix, stemmed and multi-word search; FTS syntax in user text is harmless
    assert set(bank.query(Filter(text="regulariz"))) == {"l1-vs-l2", "gap-remedy"}
    assert "l1-vs-l2" in bank.query(Filter(text="regularizing"))
    assert bank.query(Filter(text="negatives precision")) == ["pick-metrics"]
    assert bank.query(Filter(text='"AND OR ( *')) == []


def test_bank_is_opened_read_only(fixture_bank: Path) -> None:
    bank = Bank(fixture_bank)
    with pytest.raises(sqlite3.OperationalError):
        bank._db.execute("DELETE FROM questions")


def test_missing_bank_has_a_clear_error(tmp_path: Path) -> None:
    from desktop_quiz.core.bank.reader import BankError

    with pytest.raises(BankError, match="missing"):
        Bank(tmp_path / "nope.sqlite")
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(BankError, match="unreadable"):
        Bank(tmp_path / "junk.sqlite")


def test_real_bank_no_change_check_is_fast(bank_path: Path) -> None:
    """Functional check only (the 0.2 s budget is measured by `desktop-quiz bench`)."""
    from tests.conftest import QUESTIONS

    assert not is_stale(QUESTIONS, bank_path)


# -- the command line, as real subprocesses --------------------------------------------
def test_cli_build_reports_path_line_errors(fixture_source: Path, tmp_path: Path) -> None:
    (fixture_source / "alpha" / "broken.md").write_text(
        "---\nkind: mcq\ndifficulty: 5\ntags: []\n---\n\n## Prompt\n\nQ?\n")
    out = tmp_path / "out.sqlite"
    result = run_cli("bank", "build", "--source", str(fixture_source), "--out", str(out))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert f"{fixture_source}/alpha/broken.md:3: difficulty must be" in lines[0] or any(
        line.startswith(f"{fixture_source}/alpha/broken.md:3: difficulty") for line in lines)
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_cli_build_check_stats_and_dump(fixture_source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.sqlite"
    built = run_cli("bank", "build", "--source", str(fixture_source), "--out", str(out))
    assert built.returncode == 0, built.stderr
    assert run_cli("bank", "check", "--source", str(fixture_source)).returncode == 0

    stats = json.loads(run_cli("bank", "stats", "--json", "--bank", str(out)).stdout)
    assert stats == {
        "questions": 4,
        "by_kind": {"mcq": 2, "recall": 2, "code": 0},
        "by_difficulty": {"1": 1, "2": 2, "3": 1},
        "by_topic": {"alpha": {"mcq": 1, "recall": 1, "code": 0, "total": 2},
                     "beta": {"mcq": 1, "recall": 1, "code": 0, "total": 2}},
    }
    table = run_cli("bank", "stats", "--bank", str(out)).stdout
    titles = [line.split("  ")[0] for line in table.splitlines()[1:3]]
    assert titles == ["Alpha topic", "Beta topic"]  # titles, not slugs
    assert "easy 1 (25%), medium 2 (50%), hard 1 (25%)" in table
    assert "at least 40 questions: 2 below" in table and " v1" not in table
    dump = json.loads(run_cli("bank", "dump", "--json", "--bank", str(out)).stdout)
    assert [d["id"] for d in dump] == ["gap-remedy", "l1-vs-l2", "bias-definition",
                                       "pick-metrics"]
    first = dump[0]
    assert set(first) == {"id", "topic", "kind", "difficulty", "tags", "prompt", "answer",
                          "choices", "key_points", "hint", "references"}
    assert first["choices"][1] == {"text": "Add regularization", "correct": True,
                                   "explanation": "The gap is variance; regularization reduces it."}
    l1 = dump[1]
    assert l1["key_points"][0]["alternatives"] == ["l1", "lasso", "absolute value",
                                                  "absolute weights"]
    assert l1["hint"].startswith("Think about")


def test_cli_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    result = run_cli("bank", "stats", "--bank", str(tmp_path / "missing.sqlite"))
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "missing" in result.stderr
    result = run_cli("bank", "check", "--source", str(tmp_path))
    assert result.returncode != 0 and "not a question folder" in result.stderr


def test_cli_version() -> None:
    from desktop_quiz import __version__

    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"desktop-quiz {__version__}"


def test_rebuild_reuses_formulas_and_matches_a_fresh_build(
    fixture_source: Path, tmp_path: Path
) -> None:
    incremental, fresh = tmp_path / "inc.sqlite", tmp_path / "fresh.sqlite"
    build_bank(fixture_source, incremental)
    path = fixture_source / "alpha" / "gap-remedy.md"
    old, new = r"\text{Bias}^2 + \text{Var}", r"\text{Bias}^3 + \text{Var}"
    path.write_text(path.read_text().replace(old, new))
    build_bank(fixture_source, incremental)  # reuses the untouched formulas
    build_bank(fixture_source, fresh)
    assert incremental.read_bytes() == fresh.read_bytes()
    texes = {r[0] for r in sqlite3.connect(fresh).execute("SELECT tex FROM math")}
    assert new in texes and old not in texes


def test_display_math_right_after_a_line_of_text_still_renders() -> None:
    renderer = Renderer()
    html = renderer.html("The loss is\n$$\nL = x^2\n$$\nwhich is convex.")
    assert html.count('src="math:') == 1 and "$$" not in html
    assert "<p>which is convex.</p>" in html
    # a one-line block and a block inside a list item
    assert renderer.html("Loss:\n$$x^2$$\nNext").count('src="math:') == 1
    assert renderer.html("- item\n\n    $$\n    x^2\n    $$\n").count('src="math:') == 1
    # dollars inside code stay code
    assert "$$" in renderer.html("```text\n$$\nnot math\n$$\n```")


def test_a_bank_without_tags_or_recall_questions_builds(
    fixture_source: Path, tmp_path: Path
) -> None:
    for path in fixture_source.rglob("*.md"):
        text = path.read_text()
        if "kind: recall" in text:
            path.unlink()
        else:
            path.write_text(re.sub(r"tags: \[.*\]", "tags: []", text))
    out = tmp_path / "bare.sqlite"
    build_bank(fixture_source, out)
    bank = Bank(out)
    assert bank.tags() == [] and bank.count(Filter(kinds=("recall",))) == 0


@pytest.mark.parametrize("tex", [r"1 - (1 - 0.05)^{20} = 0.642", "p_1", r"\frac{a}{b}",
                                 "x", r"e^{x^2}"])
def test_inline_formulas_are_padded_so_their_baseline_meets_the_text(tex: str) -> None:
    # Qt centres an inline image TEXT_MIDDLE_PX above the baseline; a formula whose
    # exponents make it tall used to sit low, so a full stop after it floated.
    from desktop_quiz.core.bank.render import TEXT_MIDDLE_PX, render_svg

    svg = render_svg(tex, False)
    m = re.search(r'height="([\d.]+)"[^>]*viewBox="[-\d.]+ ([-\d.]+) [\d.]+ ([\d.]+)"', svg)
    assert m is not None
    top, height = float(m.group(2)), float(m.group(3))
    ascent, descent = -top, top + height  # the formula's baseline is y = 0
    assert (ascent - descent) / 2 == pytest.approx(TEXT_MIDDLE_PX, abs=0.1)
    assert float(m.group(1)) == pytest.approx(height)


def test_the_ziamath_speed_up_draws_exactly_the_same_svg() -> None:
    import dataclasses as dc

    import ziamath

    from desktop_quiz.core.bank import render, ziamath_fast

    formulas = [(r"\frac{\partial L}{\partial w} = X^\top (Xw - y)", True),
                (r"\mathbf{x}_i \in \mathbb{R}^d", False), (r"\sqrt{\hat\sigma^2 / n}", False),
                (r"\sum_{k=1}^{K} \pi_k \mathcal{N}(x \mid \mu_k, \Sigma_k)", True),
                (r"\operatorname{softmax}(z)_i = e^{z_i} / \sum_j e^{z_j}", False)]
    render.render_svg("x", False)  # installs the speed-up
    assert ziamath.styles.asdict is ziamath_fast.shallow_fields
    fast = [render.render_svg(t, d) for t, d in formulas]
    ziamath_fast.slow_down_ziamath(ziamath)
    assert ziamath.styles.asdict is dc.asdict
    try:
        slow = [_render_without_speed_up(t, d) for t, d in formulas]
    finally:
        ziamath_fast.speed_up_ziamath(ziamath)
    assert fast == slow


def test_the_ziamath_speed_up_matches_on_every_formula_of_the_bank(bank_path) -> None:
    """Every formula the bank holds, laid out with and without the speed-ups."""
    import sqlite3

    import ziamath

    from desktop_quiz.core.bank import render, ziamath_fast

    con = sqlite3.connect(bank_path)
    try:
        rows = con.execute("SELECT tex, display FROM math ORDER BY hash").fetchall()
    finally:
        con.close()
    assert len(rows) > 1000
    # A stride keeps the test short; which formulas is fixed by the hash order.
    sample = [*rows[::8], (r"\left( \frac{a}{b} \right) \bigg| x", 1),
              (r"\lVert \mathbf{x} \rVert_2 \le \left[ \sum_i x_i^2 \right]^{1/2}", 0)]
    render.render_svg("x", False)
    fast = [render.render_svg(t, bool(d)) for t, d in sample]
    ziamath_fast.slow_down_ziamath(ziamath)
    try:
        slow = [_render_without_speed_up(t, bool(d)) for t, d in sample]
    finally:
        ziamath_fast.speed_up_ziamath(ziamath)
    assert [t for (t, _), a, b in zip(sample, fast, slow, strict=True) if a != b] == []


def _render_without_speed_up(tex: str, display: bool) -> str:
    import dataclasses as dc

    import ziamath

    from desktop_quiz.core.bank import render

    ziamath.config.svg2 = False
    ziamath.config.precision = 1
    svg = str(ziamath.Math.fromlatex(
        tex, size=render.MATH_DISPLAY_PX if display else render.MATH_INLINE_PX).svg())
    assert ziamath.styles.asdict is dc.asdict
    return render.compact_svg(svg if display else render.pad_to_text_baseline(svg))


def test_rendering_on_several_cores_gives_the_same_bank(fixture_source: Path) -> None:
    from desktop_quiz.core.bank import build

    _, questions, problems = parse_folder(fixture_source)
    assert not problems and len(questions) >= 4
    many = questions * 30  # several chunks per worker
    one_r, one, one_p = build.render_all(many, fixture_source, [], workers=1)
    two_r, two, two_p = build.render_all(many, fixture_source, [], workers=2)
    assert one == two and one_p == two_p == []
    assert one_r.formulas == two_r.formulas and one_r.used == two_r.used
    assert any("math:" in q.prompt_html + q.answer_html for q in one)


def _absolute_points(d: str) -> list[tuple[float, float]]:
    """Every point of an M/L/Q/Z path, absolute or relative, in absolute coordinates."""
    import re

    tokens = re.findall(r"[MLQZmlqz]|-?\d+(?:\.\d+)?", d)
    args = {"m": 2, "l": 2, "q": 4, "z": 0}
    out: list[tuple[float, float]] = []
    x = y = sx = sy = 0.0
    i = 0
    while i < len(tokens):
        cmd = tokens[i]
        n = args[cmd.lower()]
        vals = [float(t) for t in tokens[i + 1:i + 1 + n]]
        i += 1 + n
        if cmd.lower() == "z":
            x, y = sx, sy
            continue
        base = (x, y) if cmd.islower() else (0.0, 0.0)
        pts = [(base[0] + a, base[1] + b) for a, b in zip(vals[0::2], vals[1::2], strict=True)]
        out += pts
        x, y = pts[-1]
        if cmd.lower() == "m":
            sx, sy = x, y
    return out


def test_compact_svg_keeps_every_point_of_every_formula(bank_path) -> None:
    import re
    import sqlite3
    import zlib

    from desktop_quiz.core.bank.render import render_svg
    from desktop_quiz.core.bank.svgpath import compact_svg

    svgs = [render_svg(t, d, compact=False) for t, d in (
        (r"\frac{\partial L}{\partial w} = X^\top (Xw - y)", True),
        (r"\sum_{k=1}^{K} \pi_k \mathcal{N}(x \mid \mu_k, \Sigma_k)", True),
        (r"-0.5 \le x_{-1}", False))]
    for svg in svgs:
        small = compact_svg(svg)
        assert compact_svg(small) == small  # idempotent
        assert len(small) < 0.8 * len(svg)
        before = re.findall(r' d="([^"]+)"', svg)
        after = re.findall(r' d="([^"]+)"', small)
        assert len(before) == len(after) and all(a.startswith("m") for a in after)
        for b, a in zip(before, after, strict=True):
            flat = [c for pt in _absolute_points(a) for c in pt]
            assert flat == pytest.approx([c for pt in _absolute_points(b) for c in pt], abs=1e-6)
        assert re.sub(r' d="[^"]+"', "", small) == re.sub(r' d="[^"]+"', "", svg)
    # The built bank stores them compact.
    con = sqlite3.connect(bank_path)
    try:
        stored = [zlib.decompress(b).decode() for (b,) in con.execute("SELECT svg FROM math")]
    finally:
        con.close()
    assert stored and all(' d="M' not in s for s in stored)
