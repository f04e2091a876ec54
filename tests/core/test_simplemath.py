"""Simple inline math typeset as text; everything else is left to ziamath."""

from __future__ import annotations

import pytest

from desktop_quiz.core.bank.render import Renderer
from desktop_quiz.core.bank.simplemath import inline_math_html


@pytest.mark.parametrize(("tex", "html"), [
    ("x", "<i>x</i>"),
    ("x_i", "<i>x</i><sub><i>i</i></sub>"),
    ("x^23", "<i>x</i><sup>2</sup>3"),  # TeX scripts take one character
    ("a_{ij}", "<i>a</i><sub><i>ij</i></sub>"),
    (r"\lambda = 0.1", "<i>λ</i> = 0.1"),
    (r"\Sigma_k", "Σ<sub><i>k</i></sub>"),  # capital Greek is upright
    ("t = -0.5", "<i>t</i> = −0.5"),  # unary minus: a real minus sign, no spaces
    ("a - b", "<i>a</i> − <i>b</i>"),  # binary minus: spaced
    (r"x \le 3", "<i>x</i> ≤ 3"),
    ("p < q", "<i>p</i> &lt; <i>q</i>"),
    (r"2^{53} \approx 9 \times 10^{15}", "2<sup>53</sup> ≈ 9 × 10<sup>15</sup>"),
])
def test_simple_formulas_become_text(tex: str, html: str) -> None:
    assert inline_math_html(tex) == html


@pytest.mark.parametrize("tex", [r"\frac{1}{2}", r"\hat{y}", r"\sqrt{n}", r"\sum_i x_i",
                                 r"\mathbb{R}^d", "x^", "{x}", "a_{b", "x}", "x" * 80,
                                 r"\text{click}", r"\begin{matrix}a\end{matrix}"])
def test_anything_else_goes_to_ziamath(tex: str) -> None:
    assert inline_math_html(tex) is None


def test_the_renderer_uses_text_for_simple_and_svg_for_the_rest() -> None:
    renderer = Renderer()
    out = renderer.html(r"Let $x_i$ be the input and $\frac{a}{b}$ the ratio.")
    assert "<i>x</i><sub><i>i</i></sub>" in out
    assert out.count('src="math:') == 1 and len(renderer.used) == 1
    display = renderer.html("Display math is always drawn:\n\n$$x$$\n")
    assert 'src="math:' in display
