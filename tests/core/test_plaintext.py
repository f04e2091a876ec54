"""Plain-text titles for math (issue 15, item 1): lists cannot show rendered formulas."""

from __future__ import annotations

import pytest

from desktop_quiz.core.bank.plaintext import plain_math, plain_text


@pytest.mark.parametrize(("tex", "text"), [
    (r"\frac{a}{b}", "a/b"),
    (r"\sigma(z) = \frac{1}{1+e^{-z}}", "σ(z) = 1/(1 + e⁻ᶻ)"),
    (r"\lambda = 0.1", "λ = 0.1"),
    (r"\mathrm{diag}(\tanh')\,W", "diag(tanh') W"),
    (r"\frac{1}{2n}", "1/(2n)"),
    (r"\frac{1}{n}X^\top(p-y)", "1/n Xᵀ(p-y)"),
    (r"W_{hh}h_{t-1}", "Wₕₕhₜ₋₁"),
    (r"p_{\text{data}}", "p_data"),
    (r"\begin{bmatrix} 2 & 1 \\ 1 & 2 \end{bmatrix}", "[ 2 1; 1 2]"),
])
def test_formulas_read_as_typed(tex: str, text: str) -> None:
    assert plain_math(tex) == text


def test_markdown_titles_drop_marks_and_keep_escaped_dollars() -> None:
    assert plain_text(r"**Why** is $\frac{1}{1+e^{-x}}$ `smooth`?") == "Why is 1/(1 + e⁻ˣ) smooth?"
    assert plain_text(r"costs \$200; blocking costs \$10") == "costs $200; blocking costs $10"


def test_every_prompt_and_key_point_of_the_bank_reads_without_tex(bank_path) -> None:
    import sqlite3

    conn = sqlite3.connect(bank_path)
    texts = [r[0] for r in conn.execute("SELECT prompt FROM questions")]
    texts += [r[0] for r in conn.execute("SELECT text FROM key_points")]
    conn.close()
    bad = [t for t in map(plain_text, texts)
           if "\\" in t or "frac" in t.replace("fraction", "") or "mathrm" in t]
    assert bad == []


def test_key_points_are_rendered_with_the_answers_math_pipeline(bank_path) -> None:
    from desktop_quiz.core.bank.reader import Bank

    bank = Bank(bank_path)
    try:
        q = bank.question("rnn-vanishing-gradient-derivation")
    finally:
        bank.close()
    with_math = [k for k in q.key_points if "$" in k.text]
    assert with_math
    for k in with_math:
        assert '<img src="math:' in k.text_html and not k.text_html.startswith("<p>")
    plain = [k for k in q.key_points if "$" not in k.text]
    assert all(k.text_html for k in plain)


def test_nested_lists_indented_by_two_or_three_spaces_stay_nested() -> None:
    """Issue 15: such lists collapsed into "- missing values: …; - outliers: …"."""
    from desktop_quiz.core.bank.render import Renderer

    for indent in ("  ", "   "):
        text = (f"1. **Clean.**\n{indent}- missing values: impute;\n{indent}- outliers: cap\n"
                f"{indent}  or transform;\n2. **Create.**\n{indent}- ratios\n\nAfter.")
        html = Renderer().html(text)
        assert html.count("<ul>") == 2 and html.count("<li>") == 5, html
        assert "- outliers" not in html and "<li>outliers: cap" in html
    flat = "- a\n- b\n\n    code block\n"
    assert Renderer().html(flat) == Renderer().html(flat)  # unchanged path
    from desktop_quiz.core.bank.render import normalize_list_indent

    assert normalize_list_indent(flat) == flat
