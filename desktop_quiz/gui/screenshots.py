"""``desktop-quiz screenshots DIR [--theme light|dark] [--size WxH]``: every screen to PNG.

Runs offscreen at 1280×800 (or ``--size``) on a temporary data folder with realistic content: a
week of earlier drills (imported as history, so some questions are due today),
one drill answered through the study engine, and a few flagged questions. The
screens are driven through the same widgets a person uses. Every button or label
whose text does not fit (see :func:`clipped_texts`) is reported on stderr.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from desktop_quiz.core.context import AppContext
from desktop_quiz.core.model import Question
from desktop_quiz.core.progress.storage import Answer, utcnow
from desktop_quiz.core.study.grading import Rating

SIZE = (1280, 800)
SCREENS = ("home", "drill-setup", "mcq-question", "mcq-feedback", "recall-question",
           "recall-feedback", "recall-evidence", "summary", "mock-interview", "mock-report",
           "browse", "settings", "progress", "plan-home", "plan-forecast", "exercise",
           "exercise-review", "editor", "editor-code")
EXERCISE = "ex-stable-softmax"
# A plausible first attempt: the right idea, but it sums along the last axis only.
EXERCISE_ATTEMPT = "\n".join([
    "import numpy as np",
    "",
    "",
    "def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:",
    '    """Numerically stable softmax along `axis`."""',
    "    x = np.asarray(x, dtype=float)",
    "    z = x - x.max(axis=axis, keepdims=True)  # largest score becomes 0",
    "    e = np.exp(z)",
    "    return e / e.sum(axis=-1, keepdims=True)",
    "",
])
RECALL_DEMO_TEXT = ("Regularization adds a penalty on the weights to the loss. L2 (ridge) "
                    "shrinks all weights smoothly; L1 (lasso) can set some exactly to zero, "
                    "so it also selects features.")


def seed_history(ctx: AppContext, seed: int = 7, days: int = 9) -> None:
    """A plausible week of earlier practice, through the storage API."""
    rng = random.Random(seed)
    bank = ctx.bank
    ids = bank.all_ids()
    topics_with = sorted({bank.question(i).topic for i in ids[:: max(1, len(ids) // 60)]})
    favourite = topics_with[: max(3, len(topics_with) // 2)]
    pool = [i for i in ids if bank.question(i).topic in favourite]
    now = utcnow()
    answers: list[Answer] = []
    for day in range(days, 0, -1):
        when = now - timedelta(days=day, hours=rng.randint(0, 5))
        for n, qid in enumerate(rng.sample(pool, min(len(pool), rng.randint(8, 16)))):
            q = bank.question(qid)
            skill = 0.45 + 0.05 * (days - day) + (0.15 if favourite.index(q.topic) % 2 else 0)
            right = rng.random() < min(0.9, skill)
            rating = (rng.choice([Rating.GOOD, Rating.EASY]) if right
                      else rng.choice([Rating.AGAIN, Rating.HARD]))
            answers.append(Answer(
                question_id=qid, kind=q.kind, answered_at=when + timedelta(seconds=40 * n),
                correct=right if q.kind == "mcq" else rating > Rating.AGAIN,
                score=1.0 if right else 0.0, rating=int(rating),
                duration_ms=rng.randint(9_000, 80_000), mode="drill",
                session_id=f"demo-{day}"))
    ctx.progress.import_answers(answers)
    for qid in rng.sample(pool, min(3, len(pool))):
        ctx.progress.set_flag(qid, True)


def showcase_ids(ctx: AppContext) -> tuple[str, str, list[str]]:
    """An MCQ with math, a recall question with a hint, and a drill's worth of others."""
    bank = ctx.bank
    mcq = recall = ""
    for qid in bank.all_ids():
        q = bank.question(qid)
        if not mcq and q.kind == "mcq" and not q.multi and len(q.choices) == 4 and (
                "math:" in q.prompt_html + "".join(c.text_html for c in q.choices)):
            mcq = qid
        if not recall and q.kind == "recall" and q.hint_html and _short(q):
            recall = qid
        if mcq and recall:
            break
    ids = bank.all_ids()
    mcq = mcq or next(i for i in ids if bank.question(i).kind == "mcq")
    recall = recall or next(i for i in ids if bank.question(i).kind == "recall")
    rng = random.Random(3)
    others = [i for i in rng.sample(ids, min(len(ids), 30)) if i not in (mcq, recall)
              and bank.question(i).kind != "code"][:8]
    return mcq, recall, others


class _ThinkingClock:
    """A session clock where each question takes a plausible 20–70 s, not 0."""

    def __init__(self, seed: int = 5) -> None:
        self.rng = random.Random(seed)
        self.extra = 0.0

    def __call__(self) -> float:
        self.extra += self.rng.uniform(10, 35)
        return time.monotonic() + self.extra


def _short(q: Question) -> bool:
    return len(q.prompt) < 260


def clipped_texts(root: Any) -> list[str]:
    """Visible buttons and labels under ``root`` whose text does not fit.

    A single-line text is cut when its advance exceeds the widget's contents width; a
    wrapped label when it needs more height than it has; a button when its size hint
    exceeds its size. Text elided on purpose (ending in "…", full text in the tooltip)
    is fine.
    """
    from desktop_quiz.gui.qt import QAbstractButton, QLabel, Qt

    found: list[str] = []
    for w in root.findChildren(QAbstractButton) + root.findChildren(QLabel):
        if not w.isVisible() or w.width() <= 0:
            continue
        text = w.text()
        if not text or (text.endswith("…") and w.toolTip()):
            continue
        name = f"{type(w).__name__} {text[:40]!r}"
        if isinstance(w, QAbstractButton):
            hint = w.sizeHint()
            if hint.width() > w.width() or hint.height() > w.height():
                found.append(f"{name}: needs {hint.width()}×{hint.height()}, has "
                             f"{w.width()}×{w.height()}")
            continue
        if w.pixmap() is not None and not w.pixmap().isNull():
            continue
        rich = w.textFormat() == Qt.TextFormat.RichText or (
            w.textFormat() == Qt.TextFormat.AutoText and "<" in text and ">" in text)
        room = w.contentsRect().width() - 2 * max(0, w.margin()) - max(0, w.indent())
        if w.wordWrap():
            need = w.heightForWidth(w.width())
            if need > w.height() + 1:
                found.append(f"{name}: wrapped text needs {need} px high, has {w.height()}")
        elif rich:
            if w.sizeHint().width() > w.width():
                found.append(f"{name}: needs {w.sizeHint().width()} px, has {w.width()}")
        else:
            widest = max(w.fontMetrics().horizontalAdvance(line) for line in text.split("\n"))
            if widest > room:
                found.append(f"{name}: needs {widest} px, has {room}")
    return found


def take(out_dir: Path, theme_name: str = "light", *, size: tuple[int, int] | None = None,
         on_shot: Any = None) -> int:
    """Render every screen; ``on_shot(name, window)`` is called at each (for tests)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out_dir.mkdir(parents=True, exist_ok=True)
    from desktop_quiz.core.bank.reader import BankError, open_default_bank
    from desktop_quiz.core.bank.source import SourceError

    try:
        bank = open_default_bank()
    except (BankError, SourceError) as exc:
        print(f"desktop-quiz: cannot open the question bank: {exc}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="dq-shots-") as tmp:
        data_dir = Path(tmp) / "data"
        os.environ["DESKTOP_QUIZ_DATA_DIR"] = str(data_dir)
        from desktop_quiz.core.config import Settings

        Settings(data_dir).set("theme", theme_name)
        ctx = AppContext.open(data_dir, bank)
        try:
            return _shoot(ctx, out_dir, theme_name, size or SIZE, on_shot)
        finally:
            ctx.close()


def _shoot(ctx: AppContext, out_dir: Path, theme_name: str, size: tuple[int, int],
           on_shot: Any) -> int:
    from desktop_quiz.gui import theme
    from desktop_quiz.gui.app import make_app

    app = make_app([sys.argv[0]])
    theme.apply(app, theme_name)
    # An error inside a Qt callback does not propagate here; without this, a screen
    # that failed to build would be saved blank and the command would still succeed.
    errors: list[BaseException] = []
    default_hook = sys.excepthook

    def record(etype: type[BaseException], value: BaseException, tb: Any) -> None:
        errors.append(value)
        default_hook(etype, value, tb)

    sys.excepthook = record
    try:
        code = _shoot_all(ctx, out_dir, size, on_shot)
    finally:
        sys.excepthook = default_hook
    if errors:
        print(f"desktop-quiz: screenshots: {len(errors)} error(s) while rendering, first: "
              f"{type(errors[0]).__name__}: {errors[0]}", file=sys.stderr)
        return 1
    return code


def _shoot_all(ctx: AppContext, out_dir: Path, size: tuple[int, int], on_shot: Any) -> int:
    from desktop_quiz.gui.mainwindow import MainWindow
    from desktop_quiz.gui.qt import QApplication, QPoint, Qt, QWidget, qtest
    from desktop_quiz.gui.question_panels import McqPanel, RecallPanel

    seed_history(ctx)
    win = MainWindow(ctx, remember_geometry=False)
    win.setMinimumSize(min(size[0], win.minimumWidth()), min(size[1], win.minimumHeight()))
    win.resize(*size)
    win.show()
    QTest = qtest()

    def settle(ms: int = 60) -> None:
        QApplication.processEvents()
        QTest.qWait(ms)
        QApplication.processEvents()

    saved: list[str] = []

    def shot(name: str, widget: QWidget | None = None) -> None:
        settle()
        target = widget or win
        path = out_dir / f"{name}.png"
        if not target.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        saved.append(name)
        for problem in clipped_texts(target):
            print(f"desktop-quiz: screenshots: {name}: cut: {problem}", file=sys.stderr)
        if on_shot is not None:
            on_shot(name, target)

    def click(w: QWidget) -> None:
        QTest.mouseClick(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(w.width() // 2, w.height() // 2))

    mcq, recall, others = showcase_ids(ctx)

    # A finished drill today, through the study engine (before the home shot).
    rng = random.Random(11)
    today = others[:6]
    win.start_ids(today)
    page = win.drill.session_page
    assert page.session is not None
    page.session.clock = _ThinkingClock()
    while page.active:
        _answer_quietly(page, rng, McqPanel, RecallPanel)
    win.show_page("home")
    win.home.refresh()
    shot("home")

    win.show_page("drill")
    win.drill.show_setup()
    slugs = [t.slug for t in ctx.bank.topics() if ctx.bank.counts_by_topic().get(t.slug)]
    win.drill.setup.topics.set_selected(slugs[:4])
    shot("drill-setup")

    win.show_page("drill")
    win.drill.start_ordered([mcq, recall, *others[6:8]])
    page = win.drill.session_page
    assert page.session is not None
    page.session.clock = _ThinkingClock(6)
    panel = page.panel
    assert isinstance(panel, McqPanel)
    wrong = next(i for i in range(len(panel.rows)) if i not in ctx.bank.question(mcq)
                 .correct_indices)
    click(panel.row_for(wrong))
    shot("mcq-question")
    click(page.primary_button)
    page.scroll_area.verticalScrollBar().setValue(0)
    shot("mcq-feedback")
    click(page.primary_button)  # on to the recall question
    rpanel = page.panel
    assert isinstance(rpanel, RecallPanel)
    text = _demo_answer(ctx.bank.question(recall))
    rpanel.editor.setPlainText(text)
    rpanel.show_hint()
    shot("recall-question")
    click(page.primary_button)
    settle()
    shot("recall-feedback")
    # The learner disagrees with the checker on one point: flip it (Alt+N).
    result = rpanel.result
    if result is not None and result.points:
        missed = [i for i, p in enumerate(result.points) if not p.hit]
        page.flip_point(missed[0] if missed else len(result.points) - 1)
    settle()
    shot("recall-evidence")
    click(page.rating_buttons[page.selected_rating()])
    while page.active:
        _answer_quietly(page, rng, McqPanel, RecallPanel)
    shot("summary")

    win.mock_interview()
    win.mock.setup.start()
    run = win.mock.run
    if run.session is not None:
        run.session.clock = _ThinkingClock(8)
    run.editor.setPlainText(_demo_answer(run.session.question)[:160] if run.session else "")
    shot("mock-interview")
    while run.active:
        assert run.session is not None
        run.editor.setPlainText(_demo_answer(run.session.question))
        run.submit()
    shot("mock-report")

    win.show_page("browse")
    win.browse.search.setText("regularization")
    win.browse.refresh()
    second = win.browse.results.topLevelItem(1)
    if second is not None:
        win.browse.results.setCurrentItem(second)
    shot("browse")

    win.show_page("settings")
    shot("settings")

    win.show_page("progress")
    win.progress.ensure_view()  # the first show builds the charts just after a placeholder
    settle(300)
    shot("progress")

    # The study plan: an interview in 24 days, 90 minutes a day, Sundays off.
    from datetime import date, timedelta

    ctx.set_setting("interview_date", (date.today() + timedelta(days=24)).isoformat())
    ctx.set_setting("days_off", ["sun"])
    ctx.set_setting("plan_minutes", 90)
    win.show_page("home")
    win.home.plan_card.compute()
    shot("plan-home")
    win.show_page("progress")
    settle(300)
    view = win.progress.view
    if view is not None:
        view.scroller.verticalScrollBar().setValue(0)  # type: ignore[attr-defined]
    shot("plan-forecast")
    _shoot_exercise(ctx, win, shot, settle)
    _shoot_editor(ctx, win, size, shot)

    win.close()
    for name in saved:
        print(out_dir / f"{name}.png")
    return 0


def _shoot_exercise(ctx: AppContext, win: Any, shot: Any, settle: Any) -> None:
    """The editor with a run's results (one test failing), then the review."""
    from desktop_quiz.gui.exercise_panel import ExercisePanel, shared_runner

    qid = EXERCISE if ctx.bank.has(EXERCISE) else next(
        (i for i in ctx.bank.all_ids() if ctx.bank.question(i).kind == "code"), "")
    if not qid:
        return
    win.show_page("drill")
    win.drill.start_ordered([qid])
    page = win.drill.session_page
    panel = page.panel
    assert isinstance(panel, ExercisePanel) and panel.question.exercise is not None
    panel.editor.setPlainText(EXERCISE_ATTEMPT if qid == EXERCISE
                              else panel.question.exercise.solution)
    panel.show_hint()
    page.check()  # Ctrl+Enter
    deadline = time.monotonic() + 60
    while panel.last_result is None and time.monotonic() < deadline:
        settle(20)
    bar = page.scroll_area.verticalScrollBar()
    body = page.scroll_area.widget()
    bar.setValue(panel.mapTo(body, panel.rect().topLeft()).y() - 8)
    shot("exercise")
    page.submit_code()  # Ctrl+Shift+Enter: the code was just run, so it records now
    settle()
    bar.setValue(panel.mapTo(body, panel.rect().topLeft()).y() - 8)
    shot("exercise-review")
    page.rate(page.selected_rating())
    shared_runner().close()


EDITOR_TOPIC = "transformers-llms"
EDITOR_PROMPT = (
    "Sampling uses $p_i = e^{z_i / T} / \\sum_j e^{z_j / T}$. What happens as the "
    "temperature $T$ goes to 0?\n\n```python\nimport numpy as np\n\n"
    "def sample_probs(z, T):\n    e = np.exp((z - z.max()) / T)\n    return e / e.sum()\n```")
EDITOR_CHOICES = (
    (True, "Sampling becomes greedy: all mass goes to the largest logit",
     "Dividing by a small $T$ stretches the gaps between logits, so the top one wins."),
    (False, "The distribution becomes uniform", "That is the limit as $T$ grows large."),
    (False, "The logits' order reverses", "Scaling by a positive $1/T$ keeps the order."),
)
EDITOR_CODE_PROMPT = "Implement `clip_by_norm(g, c)`: scale `g` so its L2 norm is at most `c`."
_CLIP_HEAD = ("import numpy as np\n\n\ndef clip_by_norm(g, c):\n"
              '    """g scaled down to norm c when it is longer."""\n')
EDITOR_CODE = {
    "starter": _CLIP_HEAD + "    raise NotImplementedError\n",
    "tests": ("import numpy as np\n\n\ndef test_long_vector():\n"
              '    """[3, 4] clipped to norm 1 gives [0.6, 0.8]."""\n'
              "    np.testing.assert_allclose(clip_by_norm(np.array([3.0, 4.0]), 1.0), "
              "[0.6, 0.8])\n\n\ndef test_short_vector():\n"
              '    """A vector inside the ball is unchanged."""\n'
              "    np.testing.assert_allclose(clip_by_norm(np.array([0.3, 0.4]), 1.0), "
              "[0.3, 0.4])\n"),
    "solution": _CLIP_HEAD + ("    n = np.linalg.norm(g)\n"
                              "    return g if n <= c else g * (c / n)\n"),
}
EDITOR_ANSWER = ("| $T$ | effect |\n|---|---|\n| $T \\to 0$ | greedy (argmax) |\n"
                 "| $T = 1$ | the model's distribution |\n| $T \\to \\infty$ | uniform |")


def _shoot_editor(ctx: AppContext, win: Any, size: tuple[int, int], shot: Any) -> None:
    """The question editor with a filled-in question and its live preview."""
    from desktop_quiz.gui.question_editor import QuestionEditor

    ed = QuestionEditor(ctx, win.rich_env, parent=win)
    ed.setMinimumSize(0, 0)
    ed.resize(*size)
    ed.id_edit.setText("my-softmax-temperature")
    topic = ed.topic.findData(EDITOR_TOPIC)
    ed.topic.setCurrentIndex(max(topic, 0))
    ed.kind.setCurrentIndex(ed.kind.findData("mcq"))
    ed.tags.setText("sampling temperature")
    ed.prompt.setPlainText(EDITOR_PROMPT)
    for row, (correct, text, why) in zip(ed.choice_rows, EDITOR_CHOICES, strict=False):
        row[0].setChecked(correct)
        row[1].setText(text)
        row[2].setText(why)
    ed.answer.setPlainText(EDITOR_ANSWER)
    ed.show_starts()
    ed.refresh()
    ed.show()
    shot("editor", ed)
    # A coding exercise: the three Python editors, checked like bank check.
    ed.id_edit.setText("my-clip-by-norm")
    ed.kind.setCurrentIndex(ed.kind.findData("code"))
    ed.prompt.setPlainText(EDITOR_CODE_PROMPT)
    ed.answer.setPlainText("Scale by $c / \\lVert g \\rVert_2$ only when the norm exceeds $c$.")
    for name, text in EDITOR_CODE.items():
        ed.code_fields.editors[name].setPlainText(text)
    ed.refresh()
    ed.check_code()
    shot("editor-code", ed)
    ed.reject()


def _demo_answer(q: Question) -> str:
    """About two thirds of the key points, in the learner's own words."""
    if not q.key_points:
        return RECALL_DEMO_TEXT
    picked = q.key_points[: max(1, (2 * len(q.key_points)) // 3)]
    parts = [(p.alternatives[0] if p.alternatives else p.text) for p in picked]
    return "I think the main points are: " + "; ".join(parts) + "."


def _answer_quietly(page: object, rng: random.Random, mcq_cls: type, recall_cls: type) -> None:
    """Answer the current question through the page's own actions."""
    panel = page.panel  # type: ignore[attr-defined]
    q = panel.question
    if isinstance(panel, mcq_cls):
        pick = sorted(q.correct_indices) if rng.random() < 0.65 else [
            rng.randrange(len(q.choices))]
        for i in pick:
            panel.press(i)  # type: ignore[attr-defined]
        page.submit()  # type: ignore[attr-defined]
        page.advance()  # type: ignore[attr-defined]
    else:
        panel.editor.setPlainText(_demo_answer(q) if rng.random() < 0.6 else "not sure")
        page.check()  # type: ignore[attr-defined]
        page.rate(page.selected_rating())  # type: ignore[attr-defined]

