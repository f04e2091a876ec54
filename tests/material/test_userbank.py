"""Own questions: import (all or nothing, path:line), list, export, and the app's bank."""

from __future__ import annotations

import json
from pathlib import Path

from desktop_quiz.core.bank.reader import Bank, Filter
from desktop_quiz.core.context import AppContext
from tests.conftest import run_cli

MCQ = """---
kind: mcq
difficulty: 2
tags: [mine-tag]
---

## Prompt

Which norm gives sparse weights, with penalty $\\lambda \\sum_j |w_j|$?

## Choices

- [x] L1
  Its kink at zero sets weights exactly to zero.
- [ ] L2
  It shrinks weights smoothly but rarely to zero.
- [ ] L0.5 with momentum
  Not a standard regulariser.

## Answer

L1 (lasso).
"""

RECALL = """---
kind: recall
difficulty: 1
tags: []
---

## Prompt

Name the three parts of the bias-variance decomposition.

## Key points

- Bias squared
  accept: bias
- Variance
  accept: variance
- Irreducible noise
  accept: noise | irreducible

## Answer

Bias squared, variance and noise.
"""


def cli(data: Path, bank: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_cli("--data-dir", str(data), *args, env={"DESKTOP_QUIZ_BANK": str(bank)})


def _folder(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_import_list_export_and_the_app_bank(tmp_path, study_bank_path):
    data = tmp_path / "data"
    src = _folder(tmp_path / "in", {"arrays/my-sparse.md": MCQ,
                                    "interview-notes/my-decomp.md": RECALL})
    r = cli(data, study_bank_path, "questions", "import", str(src))
    assert r.returncode == 0, r.stderr
    assert "imported 2 question(s)" in r.stdout
    assert (data / "my-questions/arrays/my-sparse.md").read_text() == MCQ
    r = cli(data, study_bank_path, "questions", "list", "--json")
    assert r.returncode == 0, r.stderr
    listed = {q["id"]: q for q in json.loads(r.stdout)}
    assert set(listed) == {"my-sparse", "my-decomp"}
    assert listed["my-decomp"]["topic"] == "interview-notes"
    out = tmp_path / "out"
    r = cli(data, study_bank_path, "questions", "export", str(out))
    assert r.returncode == 0 and (out / "arrays/my-sparse.md").read_text() == MCQ
    # Importing the same ids again is refused whole.
    r = cli(data, study_bank_path, "questions", "import", str(src))
    assert r.returncode == 1 and "already one of your questions" in r.stderr

    ctx = AppContext.open(data, Bank(study_bank_path))
    try:
        bank = ctx.bank
        assert bank.has("my-sparse") and bank.has("arrays-1")
        assert "my-sparse" in bank.query(Filter(topics=("arrays",)))
        assert "my-sparse" in bank.query(Filter(text="sparse"))
        assert bank.topic("interview-notes") is not None
        q = bank.question("my-sparse")
        assert q.choices[0].correct and "math:" in q.prompt_html
    finally:
        ctx.close()
    # The bundled bank is untouched.
    assert not Bank(study_bank_path).has("my-sparse")

    # An edit is picked up (rebuilt on change).
    path = data / "my-questions/arrays/my-sparse.md"
    path.write_text(MCQ.replace("Which norm", "Which NORM"), encoding="utf-8")
    ctx = AppContext.open(data, Bank(study_bank_path))
    try:
        assert "Which NORM" in ctx.bank.question("my-sparse").prompt
    finally:
        ctx.close()


def test_anki_export_mine(tmp_path, study_bank_path):
    data = tmp_path / "data"
    src = _folder(tmp_path / "in", {"arrays/my-sparse.md": MCQ})
    assert cli(data, study_bank_path, "questions", "import", str(src)).returncode == 0
    r = cli(data, study_bank_path, "export", "anki", str(tmp_path / "m.apkg"), "--mine")
    assert r.returncode == 0, r.stderr
    assert "exported 1 notes" in r.stdout
    r = cli(data, study_bank_path, "export", "anki", str(tmp_path / "a.apkg"))
    assert r.returncode == 0 and "exported 41 notes" in r.stdout


BADMATH = MCQ.replace("\\sum_j |w_j|$", "\\left( x$")


def test_broken_folder_is_rejected_whole_with_path_line(tmp_path, study_bank_path):
    data = tmp_path / "data"
    broken = MCQ.replace("- [x] L1", "- [?] L1").replace("difficulty: 2", "difficulty: 7")
    src = _folder(tmp_path / "in", {"arrays/my-good.md": MCQ,
                                    "arrays/my-broken.md": broken,
                                    "arrays/no-prefix.md": RECALL,
                                    "arrays/my-badmath.md": BADMATH})
    r = cli(data, study_bank_path, "questions", "import", str(src))
    assert r.returncode == 1
    err = r.stderr
    assert "nothing was imported" in err
    assert f"{src}/arrays/my-broken.md:3: difficulty must be" in err
    assert f"{src}/arrays/no-prefix.md:1: id 'no-prefix'" in err
    assert f"{src}/arrays/my-badmath.md:" in err and "math" in err
    assert not (data / "my-questions").exists() or not list((data / "my-questions").rglob("*.md"))


CODE = '''---
kind: code
difficulty: 1
tags: [numpy]
---

## Prompt

Implement `relu(x)`, the elementwise max of `x` and 0.

## Starter

```python
import numpy as np


def relu(x):
    """max(x, 0) elementwise."""
    raise NotImplementedError
```

## Tests

```python
import numpy as np


def test_negative_values_become_zero():
    """[-1, 2] gives [0, 2]."""
    assert np.array_equal(relu(np.array([-1.0, 2.0])), [0.0, 2.0])
```

## Solution

```python
import numpy as np


def relu(x):
    """max(x, 0) elementwise."""
    return np.maximum(x, 0.0)
```

## Answer

`np.maximum(x, 0)` is elementwise and keeps the dtype.
'''


def test_an_exercise_is_run_on_import_and_a_failing_one_rejects_the_folder(
        tmp_path, study_bank_path):
    data = tmp_path / "data"
    wrong = CODE.replace("return np.maximum(x, 0.0)", "return np.abs(x)")
    src = _folder(tmp_path / "in", {"arrays/my-relu.md": CODE,
                                    "arrays/my-relu-wrong.md": wrong})
    r = cli(data, study_bank_path, "questions", "import", str(src))
    assert r.returncode == 1, r.stdout
    lines = wrong.splitlines()
    line = lines.index("```python", lines.index("## Solution")) + 1  # the Solution's block
    assert f"{src}/arrays/my-relu-wrong.md:{line}: " in r.stderr, r.stderr
    assert "test_negative_values_become_zero" in r.stderr
    assert not list(data.rglob("*.md"))
    (src / "arrays" / "my-relu-wrong.md").unlink()
    r = cli(data, study_bank_path, "questions", "import", str(src))
    assert r.returncode == 0, r.stderr
    bank = Bank(data / "my-bank.sqlite")
    try:
        q = bank.question("my-relu")
        assert q.kind == "code" and q.exercise is not None
        assert [c.name for c in q.exercise.test_cases] == ["test_negative_values_become_zero"]
    finally:
        bank.close()


OWN_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "own-questions"


def test_smoke_drill_of_own_questions_through_the_real_app(tmp_path, study_bank_path):
    """`questions import` then `--smoke-test --mine`: an MCQ, a recall question and a
    coding exercise of the learner's, answered through the real widgets."""
    data = tmp_path / "data"
    r = cli(data, study_bank_path, "questions", "import", str(OWN_FIXTURES))
    assert r.returncode == 0, r.stderr
    r = run_cli("--data-dir", str(data), "--smoke-test", "--mine", "--count", "3",
                env={"DESKTOP_QUIZ_BANK": str(study_bank_path), "QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 0, r.stderr[-2000:]
    answered = sorted(line.split()[2] for line in r.stdout.splitlines()
                      if line.startswith("answered "))
    assert answered == ["my-batchnorm-inference", "my-relu", "my-softmax-temperature"]
    ctx = AppContext.open(data, Bank(study_bank_path))
    try:
        assert {a.question_id for a in ctx.progress.answers()} == set(answered)
        q = ctx.bank.question("my-softmax-temperature")
        assert "math:" in q.prompt_html and "<table" in q.answer_html
        assert ctx.bank.question("my-relu").exercise is not None
    finally:
        ctx.close()
