# long: setup, run and report of one mock interview share its session, timing and kinds.
"""Mock interview: timed recall questions, no feedback until the end, then a report.

With the ``mock_exercise`` setting, the interview ends with one coding exercise from
the chosen topics: a code editor instead of the answer box; its tests run (off the
GUI thread) when the learner moves on or the time runs out, and the report shows how
many passed.

Each question has its own countdown (the ``mock_seconds`` setting). When it runs
out, whatever was typed is submitted and the next question starts. Answers are
recorded as they are given (mode "mock", with the checker's suggested rating).
"""

from __future__ import annotations

import html

from desktop_quiz.core.bank.reader import Filter
from desktop_quiz.core.context import AppContext
from desktop_quiz.core.study.session import DrillSpec, Session, assemble
from desktop_quiz.gui import theme
from desktop_quiz.gui.code_editor import CodeEditor
from desktop_quiz.gui.compose import (
    BAD_MARK,
    OK_MARK,
    fmt_clock,
    fmt_duration,
    key_points_html,
)
from desktop_quiz.gui.dialogs import ask
from desktop_quiz.gui.exercise_panel import AsyncRun
from desktop_quiz.gui.qt import (
    QCheckBox,
    QElapsedTimer,
    QFormLayout,
    QHBoxLayout,
    QProgressBar,
    QSpinBox,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_quiz.gui.question_panels import CHECK_KEYS, RecallEditor
from desktop_quiz.gui.richtext import RichEnv, RichView
from desktop_quiz.gui.widgets import (
    MARGIN,
    SPACING,
    TopicPicker,
    button,
    card,
    hbox,
    label,
    make_action,
    scroll_column,
    shortcut_text,
)

# Milliseconds per countdown second. Tests shrink it to run a 30 s countdown fast.
SECOND_MS = 1000
URGENT_SECONDS = 30


class MockSetupPage(QWidget):
    start_requested = Signal(object, int)  # DrillSpec, seconds per question

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Mock interview setup")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(MARGIN, MARGIN // 2 + 4, MARGIN, MARGIN)
        outer.setSpacing(SPACING)
        outer.addWidget(label("Mock interview", "h1"))
        outer.addWidget(label(
            "Practise under pressure: free-recall questions with a countdown each, answered "
            "as you would out loud. No feedback until the end; then a report with the model "
            "answers, the key points you covered and the time you took.", "muted", wrap=True))
        body = QHBoxLayout()
        body.setSpacing(MARGIN)
        left = QVBoxLayout()
        left.addWidget(label("Topics", "h2"))
        self.topics = TopicPicker(ctx.bank)
        left.addWidget(self.topics, 1)
        self.all_button = button("Select &all", accessible="Select all topics")
        self.none_button = button("Clea&r", accessible="Clear topic selection")
        left.addLayout(hbox(self.all_button, self.none_button, None))
        body.addLayout(left, 3)

        right = QVBoxLayout()
        right.setSpacing(SPACING)
        options = card()
        form = QFormLayout(options)
        form.setContentsMargins(20, 18, 20, 18)
        form.setVerticalSpacing(14)
        self.count = QSpinBox()
        self.count.setRange(1, 30)
        self.count.setSuffix(" questions")
        self.count.setAccessibleName("Number of questions")
        self.seconds = QSpinBox()
        self.seconds.setRange(30, 1800)
        self.seconds.setSingleStep(30)
        self.seconds.setSuffix(" s per question")
        self.seconds.setAccessibleName("Seconds per question")
        self.exercise = QCheckBox("End with a coding exercise")
        self.exercise.setAccessibleName("End with a coding exercise")
        self.exercise.toggled.connect(lambda _on: self.refresh_count())
        form.addRow(label("Length"), self.count)
        form.addRow(label("Time"), self.seconds)
        form.addRow(label("Coding"), self.exercise)
        right.addWidget(options)
        self.match = label("", "h2", wrap=True)
        self.match.setAccessibleName("Matching questions")
        right.addWidget(self.match)
        right.addStretch(1)
        self.start_button = button("&Start mock interview", primary=True)
        self.start_button.setMinimumHeight(38)
        right.addWidget(self.start_button)
        body.addLayout(right, 2)
        outer.addLayout(body, 1)

        self.topics.selection_changed.connect(self.refresh_count)
        self.count.valueChanged.connect(lambda _v: self.refresh_count())
        self.all_button.clicked.connect(lambda: self.topics.select_all(True))
        self.none_button.clicked.connect(lambda: self.topics.select_all(False))
        self.start_button.clicked.connect(self.start)
        self.reset()

    def reset(self) -> None:
        """Defaults from the settings; all topics."""
        self.count.setValue(int(self.ctx.settings["mock_size"]))
        self.seconds.setValue(int(self.ctx.settings["mock_seconds"]))
        self.exercise.setChecked(bool(self.ctx.settings["mock_exercise"]))
        self._set_counts()
        if not self.topics.selected():
            self.topics.select_all(True)
        self.refresh_count()

    def bank_changed(self) -> None:
        """The learner's own questions changed: new topics and counts."""
        self.topics.set_bank(self.ctx.bank)
        self._set_counts()
        self.refresh_count()

    def _set_counts(self) -> None:
        self.topics.set_counts({
            slug: self.ctx.bank.count(Filter(topics=(slug,), kinds=("recall",)))
            for slug in self.ctx.bank.counts_by_topic()})

    def spec(self) -> DrillSpec:
        f = Filter(topics=tuple(self.topics.selected()), kinds=("recall",))
        return DrillSpec(filter=f, count=self.count.value(), order="random", mode="mock")

    def refresh_count(self) -> None:
        selected = self.topics.selected()
        n = self.ctx.bank.count(self.spec().filter) if selected else 0
        if not selected:
            self.match.setText("Pick at least one topic")
        else:
            self.match.setText(f"{n} recall questions to draw from; the interview uses "
                               f"{min(n, self.count.value())}.")
        self.start_button.setEnabled(n > 0)

    def exercise_filter(self) -> Filter | None:
        """Where the coding exercise comes from (None: the interview has none)."""
        if not self.exercise.isChecked():
            return None
        return Filter(topics=tuple(self.topics.selected()), kinds=("code",))

    def start(self) -> None:
        if self.start_button.isEnabled():
            if self.exercise.isChecked() != bool(self.ctx.settings["mock_exercise"]):
                self.ctx.set_setting("mock_exercise", self.exercise.isChecked())
            self.start_requested.emit(self.spec(), self.seconds.value())

    def focus_content(self) -> None:
        self.start_button.setFocus()


class MockRunPage(QWidget):
    """One question at a time, with a countdown; no feedback."""

    finished = Signal(object)  # Session

    def __init__(self, ctx: AppContext, env: RichEnv, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.env = env
        self.session: Session | None = None
        self.seconds = 180
        self.timed_out: set[str] = set()
        self._pending_timeout = False
        self.setAccessibleName("Mock interview")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        header = QWidget()
        hl = QVBoxLayout(header)
        hl.setContentsMargins(MARGIN, MARGIN // 2 + 4, MARGIN, 8)
        top = QHBoxLayout()
        self.position = label("", "h2")
        self.topic_chip = label("", "chip")
        self.countdown = label("", "")
        self.countdown.setObjectName("countdown")
        self.countdown.setAccessibleName("Time left")
        top.addWidget(self.position)
        top.addWidget(self.topic_chip)
        top.addStretch(1)
        top.addWidget(label("Time left", "muted"))
        top.addWidget(self.countdown)
        hl.addLayout(top)
        self.time_bar = QProgressBar()
        self.time_bar.setTextVisible(False)
        self.time_bar.setAccessibleName("Time left for this question")
        hl.addWidget(self.time_bar)
        self.notice = label("", "banner-info", wrap=True)
        self.notice.hide()
        hl.addWidget(self.notice)
        outer.addWidget(header)

        area, col = scroll_column()
        self.prompt = RichView(env, auto_height=True)
        self.prompt.setAccessibleName("Question prompt")
        col.addWidget(self.prompt)
        col.addWidget(label("Your answer", "h2"))
        self.editor = RecallEditor()
        self.editor.setFont(env.font())
        self.editor.setMinimumHeight(220)
        self.editor.setPlaceholderText(
            "Answer as you would in the interview. No feedback until the end. "
            f"({shortcut_text('Ctrl+Return')} moves to the next question)")
        col.addWidget(self.editor)
        self.code_editor = CodeEditor()
        self.code_editor.setAccessibleName("Your code")
        self.code_editor.fit_lines(18)
        self.code_editor.hide()
        col.addWidget(self.code_editor)
        self.async_run = AsyncRun(parent=self)
        self.async_run.done.connect(self._code_done)
        col.addStretch(1)
        outer.addWidget(area, 1)

        footer = QWidget()
        fl = QHBoxLayout(footer)
        fl.setContentsMargins(MARGIN, 10, MARGIN, 14)
        self.end_button = button(f"End interview ({shortcut_text('Esc')})",
                                 accessible="End interview")
        self.next_button = button("Next question", primary=True)
        self.next_button.setMinimumWidth(200)
        fl.addWidget(self.end_button)
        fl.addStretch(1)
        fl.addWidget(self.next_button)
        outer.addWidget(footer)

        self.act_next = make_action(self, "Next question", CHECK_KEYS)
        self.act_end = make_action(self, "End interview…", ["Esc"])
        self.act_next.triggered.connect(self.submit)
        self.act_end.triggered.connect(lambda: self.request_end())
        self.next_button.clicked.connect(self.submit)
        self.end_button.clicked.connect(lambda: self.request_end())

        self.clock = QElapsedTimer()
        self.ticker = QTimer(self)
        self.ticker.setTimerType(Qt.TimerType.PreciseTimer)
        self.ticker.timeout.connect(self._tick)

    @property
    def active(self) -> bool:
        return self.session is not None and not self.session.finished

    def start(self, session: Session, seconds: int) -> None:
        self.session = session
        self.seconds = seconds
        self.timed_out = set()
        self.notice.hide()
        self._show_current()

    def _show_current(self) -> None:
        s = self.session
        assert s is not None
        q = s.question
        topic = self.ctx.bank.topic(q.topic)
        self.position.setText(f"Question {s.index + 1} / {s.total}")
        self.topic_chip.setText(topic.title if topic else q.topic)
        self.prompt.set_bank_html(q.prompt_html)
        self.editor.clear()
        self.editor.setReadOnly(False)
        code = q.kind == "code" and q.exercise is not None
        self.editor.setVisible(not code)
        self.code_editor.setVisible(code)
        if code and q.exercise is not None:
            self.code_editor.setReadOnly(False)
            self.code_editor.setPlainText(q.exercise.starter)
        last = s.index + 1 >= s.total
        word = "Finish interview" if last else "Next question"
        self.next_button.setText(f"{word} ({shortcut_text('Ctrl+Return')})")
        self.next_button.setAccessibleName(word)
        self.time_bar.setRange(0, self.seconds)
        self.clock.start()
        self._tick()
        self.ticker.start(max(10, SECOND_MS // 5))
        self.answer_box().setFocus(Qt.FocusReason.OtherFocusReason)

    def answer_box(self) -> QWidget:
        return self.code_editor if self.code_editor.isVisible() else self.editor

    def remaining(self) -> int:
        """Whole countdown seconds left (rounded up, like a kitchen timer)."""
        used = self.clock.elapsed() / SECOND_MS
        return max(0, int(-(-(self.seconds - used) // 1)))

    def _tick(self) -> None:
        left = self.remaining()
        self.countdown.setText(fmt_clock(left))
        self.countdown.setAccessibleDescription(f"{left} seconds left")
        urgent = left <= min(URGENT_SECONDS, self.seconds // 4)
        if self.countdown.property("urgent") != urgent:
            self.countdown.setProperty("urgent", urgent)
            theme.repolish(self.countdown)
        self.time_bar.setValue(left)
        if left <= 0 and self.session is not None and not self.session.finished:
            self.timed_out.add(self.session.question.id)
            self._record_and_advance(timed_out=True)

    def submit(self) -> None:
        if self.active:
            self._record_and_advance(timed_out=False)

    def _record_and_advance(self, timed_out: bool) -> None:
        s = self.session
        assert s is not None
        self.ticker.stop()
        if s.question.kind == "code":
            # The tests run off the GUI thread; the answer is recorded when they finish.
            if not self.async_run.busy:
                self.code_editor.setReadOnly(True)
                self.next_button.setEnabled(False)
                self.notice.setText("Running your code's tests…")
                self.notice.show()
                self.async_run.start(s.question, self.code_editor.toPlainText())
                self._pending_timeout = timed_out
            return
        s.check_recall(self.editor.toPlainText())  # recorded, feedback withheld
        self._advance(timed_out)

    def _code_done(self, result: object) -> None:
        s = self.session
        self.next_button.setEnabled(True)
        if s is None or s.finished or s.question.kind != "code":
            return
        from desktop_quiz.core.study.runner import RunResult

        s.answer_code(self.code_editor.toPlainText(),
                      result if isinstance(result, RunResult) else None)
        self.notice.hide()
        self._advance(self._pending_timeout)

    def _advance(self, timed_out: bool) -> None:
        s = self.session
        assert s is not None
        self.ctx.hooks.progress_changed.fire()
        n = s.index + 1
        if s.next():
            if timed_out:
                self.notice.setText(f"Time ran out on question {n}; what you typed was saved.")
                self.notice.show()
                QTimer.singleShot(4000, self.notice.hide)
            else:
                self.notice.hide()
            self._show_current()
        else:
            self.finished.emit(s)

    def request_end(self) -> None:
        s = self.session
        if s is None or s.finished:
            return

        def end() -> None:
            self.ticker.stop()
            if s.question.kind == "code":
                self.finished.emit(s)  # an exercise not moved on from is left out
                return
            if self.editor.toPlainText().strip() and s.outcome.status == "pending":
                s.check_recall(self.editor.toPlainText())
                self.ctx.hooks.progress_changed.fire()
            self.finished.emit(s)

        ask(self, "End the interview?",
            "End the mock interview now and see the report?", "End interview", end,
            no="Keep going",
            informative="What you typed for this question is kept; questions not reached "
                        "are left out.")

    def stop(self) -> None:
        self.ticker.stop()


class MockReportPage(QWidget):
    again = Signal()
    go_home = Signal()

    def __init__(self, ctx: AppContext, env: RichEnv, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Mock interview report")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(MARGIN, MARGIN // 2 + 4, MARGIN, MARGIN)
        outer.setSpacing(SPACING)
        outer.addWidget(label("Mock interview report", "h1"))
        self.headline = label("", "h2", wrap=True)
        self.headline.setAccessibleName("Result")
        outer.addWidget(self.headline)
        self.detail = label("", "muted", wrap=True)
        outer.addWidget(self.detail)
        self.view = RichView(env)
        self.view.setAccessibleName("Report")
        outer.addWidget(self.view, 1)
        self.again_button = button("&Another mock interview", primary=True)
        self.home_button = button("Back to &home")
        outer.addLayout(hbox(self.again_button, self.home_button, None))
        self.again_button.clicked.connect(self.again.emit)
        self.home_button.clicked.connect(self.go_home.emit)

    def show_session(self, s: Session, seconds: int, timed_out: set[str]) -> None:
        t = theme.current()
        answered = [o for o in s.outcomes if o.status == "answered"]
        code = [o for o in answered if o.kind == "code"]
        points = sum(len(o.recall.points) for o in answered if o.recall)
        hits = sum(o.recall.hits for o in answered if o.recall)
        pct = round(100 * hits / points) if points else 0
        self.headline.setText(f"You covered {hits} of {points} key points ({pct}%) "
                              f"across {len(answered)} question"
                              f"{'s' if len(answered) != 1 else ''}.")
        used = sum(o.duration_ms for o in answered)
        over = len(timed_out)
        allowed = fmt_duration(seconds * 1000 * len(answered))
        tests = "".join(f" · coding exercise: {o.run.passed} of {o.run.total} tests passed"
                        if o.run else " · coding exercise: not run" for o in code)
        self.detail.setText(f"Time used {fmt_duration(used)} of {allowed}" + tests
                            + (f" · time ran out on {over}" if over else "")
                            + " · answers were recorded with the checker's suggested rating.")
        rows = []
        for n, o in enumerate(answered, start=1):
            q = self.ctx.bank.question(o.question_id)
            topic = self.ctx.bank.topic(q.topic)
            r = o.recall
            good = bool(r and r.suggested >= 3) or bool(o.run and o.run.all_passed)
            mark, colour = (OK_MARK, t.ok) if good else (BAD_MARK, t.bad)
            late = " (ran out)" if o.question_id in timed_out else ""
            score = (f"{o.run.passed if o.run else 0} / {o.run.total if o.run else 0} tests"
                     if o.kind == "code" else f"{r.hits if r else 0} / {len(r.points) if r else 0}")
            rows.append(
                f"<tr><td>{n}</td><td>{html.escape(topic.title if topic else q.topic)}</td>"
                f'<td><span style="color:{colour}; font-weight:bold">{mark} '
                f"{score}</span></td>"
                f'<td align="right">{fmt_clock(round(o.duration_ms / 1000))}{late}</td></tr>')
        parts = []
        if rows:
            parts.append("<table cellspacing=\"0\"><tr><th>#</th><th>Topic</th>"
                         "<th>Key points</th><th>Time</th></tr>" + "".join(rows)
                         + "</table>")
        for n, o in enumerate(answered, start=1):
            q = self.ctx.bank.question(o.question_id)
            topic = self.ctx.bank.topic(q.topic)
            r = o.recall
            cov = f"{r.hits} / {len(r.points)} key points" if r else ""
            good = bool(r and r.suggested >= 3)
            if o.kind == "code":
                passed, total = (o.run.passed, o.run.total) if o.run else (0, 0)
                mark, colour = (OK_MARK, t.ok) if o.correct else (BAD_MARK, t.bad)
                solution = html.escape(q.exercise.solution) if q.exercise else ""
                parts.append(
                    f'<h3>Question {n} · coding exercise</h3>'
                    f'<p style="color:{t.muted}">Time used: {fmt_duration(o.duration_ms)} · '
                    f'<span style="color:{colour}; font-weight:bold">{mark} {passed} / {total}'
                    f" tests passed</span></p>{q.prompt_html}"
                    f"<h4>Your code</h4><pre>{html.escape(o.response)}</pre>"
                    f"<h4>Reference solution</h4><pre>{solution}</pre>"
                    f"<h4>Explanation</h4>{q.answer_html}<hr>")
                continue
            mark, colour = (OK_MARK, t.ok) if good else (BAD_MARK, t.bad)
            time_note = fmt_duration(o.duration_ms)
            if o.question_id in timed_out:
                time_note += " — time ran out"
            answer = html.escape(o.response.strip()) or "<i>(no answer)</i>"
            parts.append(
                f'<h3>Question {n} · {html.escape(topic.title if topic else q.topic)}</h3>'
                f'<p style="color:{t.muted}">Time used: {time_note} of {fmt_clock(seconds)}'
                f' · <span style="color:{colour}; font-weight:bold">{mark} {cov}</span></p>'
                f"{q.prompt_html}"
                f"<h4>Your answer</h4><p style=\"white-space: pre-wrap\">{answer}</p>"
                f"<h4>Key points</h4>{key_points_html(q, t, r)}"
                f"<h4>Model answer</h4>{q.answer_html}<hr>"
            )
        if not parts:
            parts.append("<p>No questions were answered.</p>")
        self.view.set_bank_html("\n".join(parts))
        self.again_button.setFocus()


class MockArea(QStackedWidget):
    """Setup → run → report."""

    def __init__(self, ctx: AppContext, env: RichEnv, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setup = MockSetupPage(ctx)
        self.run = MockRunPage(ctx, env)
        self.report = MockReportPage(ctx, env)
        for w in (self.setup, self.run, self.report):
            self.addWidget(w)
        self.setup.start_requested.connect(self.start)
        self.run.finished.connect(self._finished)
        self.report.again.connect(self.show_setup)

    @property
    def active(self) -> bool:
        return self.currentWidget() is self.run and self.run.active

    def show_setup(self) -> None:
        self.setup.reset()
        self.setCurrentWidget(self.setup)
        self.setup.focus_content()

    def start(self, spec: DrillSpec, seconds: int) -> None:
        ids = assemble(self.ctx.bank, spec, self.ctx.progress)
        code_filter = self.setup.exercise_filter()
        if code_filter is not None:
            pool = self.ctx.bank.query(code_filter) or self.ctx.bank.query(
                Filter(kinds=("code",)))
            if pool:
                import random

                ids = [*ids[: max(0, spec.count - 1)], random.choice(pool)]
        session = Session(self.ctx.bank, self.ctx.progress, ids, mode="mock", spec=spec)
        self.setCurrentWidget(self.run)
        self.run.start(session, seconds)

    def _finished(self, session: Session) -> None:
        self.run.stop()
        self.report.show_session(session, self.run.seconds, self.run.timed_out)
        self.setCurrentWidget(self.report)

    def focus_content(self) -> None:
        page = self.currentWidget()
        if page is self.run:
            self.run.answer_box().setFocus()
        elif page is self.setup:
            self.setup.focus_content()
        else:
            self.report.again_button.setFocus()
