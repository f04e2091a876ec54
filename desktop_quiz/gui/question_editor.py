"""The question editor: write, edit and delete your own questions (issue 16).

A form with a field for every section (choices with correct flags and explanations,
key points with accept and reject phrasings, a coding exercise's Starter, Tests and
Solution), a live preview rendered exactly as in a
drill (the bank builder's Renderer on the editor's Markdown, shown in a RichView), and
the validation problems of ``bank check`` shown inline.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from desktop_quiz.core.bank import userbank
from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.core.context import AppContext
from desktop_quiz.core.model import DIFFICULTY_NAMES, ID_RE, Choice, Question
from desktop_quiz.gui.compose import question_html
from desktop_quiz.gui.editor_code import CodeFields, passed_text, run_checks
from desktop_quiz.gui.qt import (
    QApplication,
    QCheckBox,
    QComboBox,
    QCursor,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from desktop_quiz.gui.richtext import RichEnv, RichView
from desktop_quiz.gui.widgets import button, label

MAX_CHOICES = 6
MAX_POINTS = 7
PREVIEW_DELAY_MS = 250


class _PreviewMath:
    """Stands in for the bank in the preview's RichEnv: formulas the editor rendered."""

    def __init__(self, bank: Bank):
        self.bank = bank
        self.svgs: dict[str, str] = {}

    def math_svg(self, key: str) -> str | None:
        return self.svgs.get(key) or self.bank.math_svg(key)


def _text_edit(name: str, lines: int = 3) -> QPlainTextEdit:
    w = QPlainTextEdit()
    w.setAccessibleName(name)
    w.setTabChangesFocus(True)
    # A steady height: the form must not hand spare room to whichever box comes first.
    w.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    w.setFixedHeight(22 * lines + 10)
    return w


def _indent(text: str) -> str:
    return "\n".join(("  " + line) if line.strip() else "" for line in text.strip().split("\n"))


class QuestionEditor(QDialog):
    """New or edit one of the learner's questions."""

    def __init__(self, ctx: AppContext, env: RichEnv, qid: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.env = env
        self.original: tuple[str, str] | None = None  # (topic, id) being edited
        self.saved_id: str | None = None
        self.problems: list[str] = []
        # The id follows the prompt until the learner sets one of their own.
        self._id_auto = qid is None
        self._suggested = userbank.PREFIX
        self._taken: set[str] | None = None
        self._touched = qid is not None  # a blank new form shows no problems yet
        self.setWindowTitle("Edit question" if qid else "New question")
        self.setAccessibleName("Question editor")
        self.resize(1180, 780)
        self._math = _PreviewMath(ctx.bank)
        self.preview_env = RichEnv(cast(Bank, self._math), env.font_size, self)
        self.preview_env.theme = env.theme

        form_widget = QWidget()
        form = self._form = QFormLayout(form_widget)
        self.id_edit = QLineEdit(userbank.PREFIX)
        self.id_edit.setAccessibleName("Id")
        self.id_edit.setPlaceholderText("my-short-name")
        self.topic = QComboBox()
        self.topic.setEditable(True)
        self.topic.setAccessibleName("Topic")
        own = sorted({p.parent.name for p in userbank.own_files(ctx.data_dir)}
                     - {t.slug for t in ctx.bank.topics()})
        for t in ctx.bank.topics():
            self.topic.addItem(t.title, t.slug)
        for slug in own:
            self.topic.addItem(userbank.own_topic_title(slug), slug)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind")
        self.kind.addItem("Multiple choice", "mcq")
        self.kind.addItem("Free recall", "recall")
        self.kind.addItem("Coding exercise", "code")
        self.difficulty = QComboBox()
        self.difficulty.setAccessibleName("Difficulty")
        for d, name in DIFFICULTY_NAMES.items():
            self.difficulty.addItem(name.capitalize(), d)
        self.difficulty.setCurrentIndex(1)
        self.tags = QLineEdit()
        self.tags.setAccessibleName("Tags")
        self.tags.setPlaceholderText("lowercase-slugs separated by spaces")
        self.prompt = _text_edit("Prompt", 4)
        form.addRow("Id", self.id_edit)
        form.addRow("Topic", self.topic)
        form.addRow("Kind", self.kind)
        form.addRow("Difficulty", self.difficulty)
        form.addRow("Tags", self.tags)
        form.addRow("Prompt", self.prompt)

        self.choices_box = QWidget()
        grid = QGridLayout(self.choices_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(label("Correct"), 0, 0)
        grid.addWidget(label("Choice"), 0, 1)
        grid.addWidget(label("Explanation"), 0, 2)
        self.choice_rows: list[tuple[QCheckBox, QLineEdit, QLineEdit]] = []
        for i in range(MAX_CHOICES):
            row = (QCheckBox(), QLineEdit(), QLineEdit())
            row[0].setAccessibleName(f"Choice {i + 1} correct")
            row[1].setAccessibleName(f"Choice {i + 1}")
            row[2].setAccessibleName(f"Choice {i + 1} explanation")
            row[1].setPlaceholderText("Choice text (Markdown, $math$)")
            row[2].setPlaceholderText("Why it is right, or why it tempts and is wrong")
            for c, w in enumerate(row):
                grid.addWidget(w, i + 1, c)
            grid.setColumnStretch(1, 1)
            grid.setColumnStretch(2, 1)
            self.choice_rows.append(row)
        form.addRow("Choices", self.choices_box)

        self.points_box = QWidget()
        pgrid = QGridLayout(self.points_box)
        pgrid.setContentsMargins(0, 0, 0, 0)
        pgrid.addWidget(label("Key point"), 0, 0)
        pgrid.addWidget(label("Accept (a | b | c)"), 0, 1)
        pgrid.addWidget(label("Reject (optional)"), 0, 2)
        self.point_rows: list[tuple[QLineEdit, QLineEdit, QLineEdit]] = []
        for i in range(MAX_POINTS):
            prow = (QLineEdit(), QLineEdit(), QLineEdit())
            for c, (w, what) in enumerate(zip(prow, ("", " accept", " reject"), strict=True)):
                w.setAccessibleName(f"Key point {i + 1}{what}")
                pgrid.addWidget(w, i + 1, c)
            pgrid.setColumnStretch(0, 3)
            pgrid.setColumnStretch(1, 2)
            self.point_rows.append(prow)
        form.addRow("Key points", self.points_box)

        self.code_fields = CodeFields()
        self.check_code_button = self.code_fields.check_button
        form.addRow("Code", self.code_fields)

        self.hint = _text_edit("Hint", 2)
        self.answer = _text_edit("Answer", 6)
        self.references = _text_edit("References", 2)
        form.addRow("Hint", self.hint)
        form.addRow("Answer", self.answer)
        form.addRow("References", self.references)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_widget)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(label("Preview (as in a drill)", "h2"))
        self.preview = RichView(self.preview_env)
        self.preview.setAccessibleName("Preview")
        rl.addWidget(self.preview, 1)
        self.errors = label("", "bad", wrap=True)
        self.errors.setAccessibleName("Problems")
        self.errors.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        rl.addWidget(self.errors)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(scroll)
        split.addWidget(right)
        split.setSizes([640, 540])
        outer = QVBoxLayout(self)
        outer.addWidget(split, 1)
        buttons = QHBoxLayout()
        self.delete_button = button("&Delete…", accessible="Delete question")
        self.delete_button.setVisible(qid is not None)
        self.save_button = button("&Save", primary=True)
        self.cancel_button = button("Cancel")
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        for w in self._inputs():
            signal = getattr(w, "textChanged", None) or getattr(w, "toggled", None)
            if isinstance(w, QComboBox):
                w.currentIndexChanged.connect(lambda *_: self._changed())
                w.editTextChanged.connect(lambda *_: self._changed())
            elif signal is not None:
                signal.connect(lambda *_: self._changed())
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.delete_button.clicked.connect(self.delete)
        self.check_code_button.clicked.connect(self.check_code)
        if qid is not None:
            self.load(qid)
        self._kind_changed()
        self.refresh()

    def _inputs(self) -> list[Any]:
        out: list[Any] = [self.id_edit, self.topic, self.kind, self.difficulty, self.tags,
                          self.prompt, self.hint, self.answer, self.references]
        for row in self.choice_rows:
            out += list(row)
        for prow in self.point_rows:
            out += list(prow)
        return out + list(self.code_fields.editors.values())

    def _changed(self) -> None:
        self._touched = True
        if self.question_id() not in ("", userbank.PREFIX, self._suggested):
            self._id_auto = False  # set by the learner
        if self._id_auto:
            if self._taken is None:  # read once: ids do not change while the form is open
                self._taken = set(self.ctx.bank.all_ids()) | {
                    p.stem for p in userbank.own_files(self.ctx.data_dir)}
            self._suggested = userbank.suggest_id(self.prompt.toPlainText(), self._taken)
            self.id_edit.setText(self._suggested)
        self._kind_changed()
        self.code_fields.status.setText("")  # an earlier check no longer applies
        self._timer.start()

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self._form.setRowVisible(self.choices_box, kind == "mcq")
        self._form.setRowVisible(self.points_box, kind == "recall")
        self._form.setRowVisible(self.code_fields, kind == "code")
        if kind == "code" and self.original is None:
            self.code_fields.set_templates()
        self.hint.setPlaceholderText("- one hint per bullet, shown one at a time"
                                     if kind == "code" else "")

    # -- the Markdown file ----------------------------------------------------------
    def topic_slug(self) -> str:
        i = self.topic.findText(self.topic.currentText())
        if i >= 0 and self.topic.itemData(i):
            return str(self.topic.itemData(i))
        return self.topic.currentText().strip().lower().replace(" ", "-")

    def question_id(self) -> str:
        return self.id_edit.text().strip()

    def markdown(self) -> str:
        kind = str(self.kind.currentData())
        tags = ", ".join(t for t in self.tags.text().replace(",", " ").split() if t)
        out = [f"---\nkind: {kind}\ndifficulty: {self.difficulty.currentData()}\n"
               f"tags: [{tags}]\n---\n", "## Prompt\n", self.prompt.toPlainText().strip() + "\n"]
        if kind == "mcq":
            out.append("## Choices\n")
            lines = []
            for correct, text, why in self.choice_rows:
                if not text.text().strip() and not why.text().strip():
                    continue
                lines.append(f"- [{'x' if correct.isChecked() else ' '}] {text.text().strip()}")
                if why.text().strip():
                    lines.append(_indent(why.text()))
            out.append("\n".join(lines) + "\n")
        elif kind == "code":
            out += self.code_fields.sections()
        else:
            out.append("## Key points\n")
            lines = []
            for point, accept, reject in self.point_rows:
                if not point.text().strip():
                    continue
                lines.append(f"- {point.text().strip()}")
                lines.append(f"  accept: {accept.text().strip()}")
                if reject.text().strip():
                    lines.append(f"  reject: {reject.text().strip()}")
            out.append("\n".join(lines) + "\n")
        for name, w in (("Hint", self.hint), ("Answer", self.answer),
                        ("References", self.references)):
            body = w.toPlainText().strip()
            if body or name == "Answer":
                out += [f"## {name}\n", body + "\n"]
        return "\n".join(out)

    def load(self, qid: str) -> None:
        path = userbank.question_path(self.ctx.data_dir, qid)
        if path is None:
            raise KeyError(qid)
        q = self.ctx.bank.question(qid)
        self.original = (path.parent.name, qid)
        self.id_edit.setText(qid)
        i = self.topic.findData(q.topic)
        if i >= 0:
            self.topic.setCurrentIndex(i)
        else:
            self.topic.setEditText(q.topic)
        self.kind.setCurrentIndex(self.kind.findData(q.kind))
        self.difficulty.setCurrentIndex(self.difficulty.findData(q.difficulty))
        self.tags.setText(" ".join(q.tags))
        self.prompt.setPlainText(q.prompt)
        for row, c in zip(self.choice_rows, q.choices, strict=False):
            row[0].setChecked(c.correct)
            row[1].setText(c.text)
            row[2].setText(" ".join(c.explanation.split("\n")))
        for prow, k in zip(self.point_rows, q.key_points, strict=False):
            prow[0].setText(k.text)
            prow[1].setText(" | ".join(k.alternatives))
            prow[2].setText(" | ".join(k.reject))
        if q.exercise is not None:
            self.code_fields.load(q.exercise)
        self.hint.setPlainText(q.hint)
        self.answer.setPlainText(q.answer)
        self.references.setPlainText(q.references)
        self.show_starts()

    def show_starts(self) -> None:
        """Long one-line fields show their beginning, not the end setText leaves."""
        for w in self.findChildren(QLineEdit):
            w.setCursorPosition(0)

    # -- live check and preview ---------------------------------------------------------
    def check(self) -> tuple[Question | None, list[str]]:
        qid, topic = self.question_id(), self.topic_slug()
        problems: list[str] = []
        if not ID_RE.match(topic or "-"):
            problems.append("The topic must be a lowercase slug like 'my-interviews'.")
            return None, problems
        taken = {p.stem for p in userbank.own_files(self.ctx.data_dir)}
        if qid in taken and (self.original is None or self.original[1] != qid):
            problems.append(f"id {qid!r} is already one of your questions")
        if not qid or not ID_RE.match(qid):
            problems.append("The id must be a lowercase slug starting with 'my-', "
                            "like 'my-attention-cost'.")
            return None, problems
        bundled = {i for i in self.ctx.bank.all_ids() if not userbank.is_own(i)}
        q, found = userbank.check_text(self.markdown(), topic, qid, self.ctx.bank.topics(),
                                       bundled)
        problems += [str(p) for p in found]
        return (q if not problems else None), problems

    def refresh(self) -> None:
        self._timer.stop()
        q, self.problems = self.check()
        self._show_problems()
        shown = q or self.draft()
        if shown is None:
            return
        try:
            rendered = self.rendered(shown)
        except ValueError:  # MathError: a half-typed formula keeps the last preview
            return
        topic = self.ctx.bank.topic(shown.topic)
        self.preview.set_bank_html(question_html(
            rendered, topic.title if topic else userbank.own_topic_title(shown.topic),
            self.preview_env.theme))

    def draft(self) -> Question | None:
        """What is typed so far, for the preview while the question is not valid yet."""
        if not self.prompt.toPlainText().strip():
            return None
        kind = str(self.kind.currentData())
        choices = tuple(Choice(text.text().strip(), correct.isChecked(), why.text().strip())
                        for correct, text, why in self.choice_rows
                        if text.text().strip()) if kind == "mcq" else ()
        return Question(self.question_id() or userbank.PREFIX, self.topic_slug() or "mine",
                        kind, int(self.difficulty.currentData()),
                        tuple(self.tags.text().split()), self.prompt.toPlainText(),
                        self.answer.toPlainText(), choices=choices,
                        hint=self.hint.toPlainText(), references=self.references.toPlainText())

    def rendered(self, q: Question) -> Question:
        """The builder's Renderer on the editor's Markdown, as the bank stores it."""
        from desktop_quiz.core.bank.render import Renderer

        r = Renderer()
        choices = tuple(replace(c, text_html=r.html(c.text),
                                explanation_html=r.html(c.explanation)) for c in q.choices)
        out = replace(q, prompt_html=r.html(q.prompt), answer_html=r.html(q.answer),
                      hint_html=r.html(q.hint), references_html=r.html(q.references),
                      choices=choices)
        self._math.svgs.update({k: f.svg for k, f in r.formulas.items()})
        return out

    def check_code(self) -> bool:
        """Run a coding exercise's tests (Solution passes, Starter fails); show the result."""
        q, self.problems = self.check()
        if q is None or q.exercise is None:
            self._show_problems()
            return False
        QApplication.setOverrideCursor(QCursor(Qt.CursorShape.WaitCursor))
        try:
            found = run_checks(q)
        finally:
            QApplication.restoreOverrideCursor()
        shown = f"{userbank.QUESTIONS_DIR}/{self.topic_slug()}/{self.question_id()}.md"
        self.problems = [f"{shown}:{p.line}: {p.message}" for p in found]
        self._show_problems()
        self.code_fields.status.setText("" if found else passed_text(q))
        return not found

    def _show_problems(self) -> None:
        self.errors.setText("\n".join(self.problems))
        self.errors.setVisible(bool(self.problems) and self._touched)
        self.save_button.setEnabled(not self.problems)

    # -- save, delete ------------------------------------------------------------------
    def save(self) -> bool:
        self.refresh()
        if self.problems:
            return False
        if self.kind.currentData() == "code" and not self.check_code():
            return False
        qid, topic = self.question_id(), self.topic_slug()
        path = userbank.save_question(self.ctx.data_dir, topic, qid, self.markdown(),
                                      old=self.original)
        self.saved_id = qid
        reload_bank(self.ctx, self.env)
        self.original = (topic, qid)
        self.accept()
        return path.is_file()

    def delete(self, confirm: bool = True) -> bool:
        if self.original is None:
            return False
        if confirm:
            answer = QMessageBox.question(
                self, "Delete question",
                f"Delete your question {self.original[1]!r}? Its answer history is kept.")
            if answer != QMessageBox.StandardButton.Yes:
                return False
        userbank.delete_question(self.ctx.data_dir, self.original[1], self.original[0])
        reload_bank(self.ctx, self.env)
        self.accept()
        return True


def reload_bank(ctx: AppContext, env: RichEnv | None = None) -> None:
    """Rebuild the user bank and point the app at it (pages read ``ctx.bank`` anew)."""
    base = _bundled(ctx.bank)
    new = userbank.with_own_questions(Bank(base), ctx.data_dir)
    ctx.bank = new
    if env is not None:
        env.bank = new
    ctx.hooks.bank_changed.fire()
    ctx.hooks.progress_changed.fire()  # Home and Progress recount their topics


def _bundled(bank: Bank) -> Path:
    if bank.path.name == userbank.USER_BANK:
        return userbank._bundled_path()
    return bank.path
