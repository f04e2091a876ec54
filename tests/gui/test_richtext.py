"""Math from the bank drawn at the right size and colour, code blocks boxed."""

from __future__ import annotations

from desktop_quiz.gui import theme
from desktop_quiz.gui.qt import QImage, QTextDocument, QUrl
from desktop_quiz.gui.richtext import RichEnv, RichView, wrap_code_blocks
from tests.gui.conftest import first_id


def math_key(html: str) -> str:
    return html.split('src="math:', 1)[1].split('"', 1)[0]


def darkest_and_lightest(image: QImage) -> tuple[int, int]:
    values = [image.pixelColor(x, y) for x in range(image.width())
              for y in range(image.height()) if image.pixelColor(x, y).alpha() > 200]
    assert values, "the formula drew nothing"
    light = [c.lightness() for c in values]
    return min(light), max(light)


def test_math_images_follow_theme_font_size_and_dpr(app, gui_bank, qtbot):
    qid = first_id(gui_bank, lambda q: "math:" in q.prompt_html)
    key = math_key(gui_bank.question(qid).prompt_html)
    env = RichEnv(gui_bank, 11)
    view = RichView(env)
    qtbot.addWidget(view)
    url = QUrl(f"math:{key}")
    image = view.loadResource(QTextDocument.ResourceType.ImageResource.value, url)
    assert isinstance(image, QImage) and not image.isNull()
    assert darkest_and_lightest(image)[0] < 80  # black ink on light
    env.update(th=theme.DARK)
    dark = view.loadResource(QTextDocument.ResourceType.ImageResource.value, url)
    assert darkest_and_lightest(dark)[1] > 180  # light ink on dark
    env.update(font_size=22)
    big = env.math_image(key, 2.0)
    assert big is not None
    assert abs(big.width() - 4 * image.width()) <= 4  # 2× font × 2× device pixels
    assert big.devicePixelRatio() == 2.0
    scaled = env.prepare('<img src="math:abc" width="10" height="7">')
    assert scaled == '<img src="math:abc" width="20" height="14">'


def test_code_blocks_get_a_padded_dark_box():
    html = '<pre style="background-color:#161b22;color:#e6edf3"><code>x = 1</code></pre>'
    out = wrap_code_blocks(html)
    assert 'bgcolor="#161b22"' in out and "<code>" not in out and "x = 1" in out


def test_the_view_loads_no_resource_that_is_not_ours(app, gui_bank, qtbot, tmp_path):
    secret = tmp_path / "secret.png"
    image = QImage(4, 4, QImage.Format.Format_ARGB32)
    image.fill(0xFF00FF00)
    assert image.save(str(secret))
    view = RichView(RichEnv(gui_bank, 11))
    qtbot.addWidget(view)
    kinds = (QTextDocument.ResourceType.ImageResource.value,
             QTextDocument.ResourceType.StyleSheetResource.value)
    for url in (QUrl.fromLocalFile(str(secret)), QUrl(str(secret)), QUrl("/dev/zero"),
                QUrl("file:///etc/passwd"), QUrl("math:not-a-formula")):
        for kind in kinds:
            loaded = view.loadResource(kind, url)
            assert not loaded or (isinstance(loaded, QImage) and loaded.isNull()), url
    # Raw HTML in a view (it never comes from the bank) still reads nothing local.
    view.set_bank_html(f'<img src="{secret}"><img src="/dev/zero">')
    for url in (QUrl(str(secret)), QUrl("/dev/zero")):
        found = view.document().resource(kinds[0], url)
        assert found is None or found.isNull(), url


def test_compact_formula_svg_draws_the_same_pixels(app):
    from desktop_quiz.core.bank.render import render_svg
    from desktop_quiz.core.bank.svgpath import compact_svg
    from desktop_quiz.gui.qt import QByteArray, QImage, QPainter, QSvgRenderer, Qt

    def draw(svg: str) -> QImage:
        renderer = QSvgRenderer(QByteArray(svg.encode()))
        image = QImage(renderer.defaultSize() * 3, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        return image

    svg = render_svg(r"\hat\beta = (X^\top X + \lambda I)^{-1} X^\top y", True,
                     compact=False)
    before, after = draw(svg), draw(compact_svg(svg))
    assert before.width() > 100 and before.size() == after.size()
    # Summing relative steps moves an edge by ~1e-15 px: at most an antialiased pixel
    # here and there changes shade; the glyphs themselves are where they were.
    changed = [max(abs(((a >> s) & 255) - ((b >> s) & 255)) for s in (0, 8, 16, 24))
               for y in range(before.height()) for x in range(before.width())
               if (a := before.pixel(x, y)) != (b := after.pixel(x, y))]
    assert len(changed) <= before.width() * before.height() // 1000
    assert max(changed, default=0) <= 32
