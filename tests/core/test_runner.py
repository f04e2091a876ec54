"""The exercise runner with real worker processes: results, limits and misbehaviour."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from desktop_quiz.core.study.runner import (
    ExerciseCheck,
    Runner,
    RunResult,
    check_exercises,
    suggest_rating,
    worker_command,
)

TESTS = '''
import numpy as np

def test_square():
    """square(3) is 9"""
    assert square(3) == 9, f"square(3) returned {square(3)}"

def test_array():
    """square works on arrays"""
    np.testing.assert_allclose(square(np.arange(3)), [0, 1, 4])
'''
NAMES = ["test_square", "test_array"]
DOCS = ["square(3) is 9", "square works on arrays"]
GOOD = "def square(x):\n    return x * x\n"


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    r = Runner(time_limit=3.0)
    yield r
    r.close()


def run(runner: Runner, code: str) -> RunResult:
    return runner.run(code, TESTS, NAMES, ["square"], DOCS)


def test_worker_runs_in_isolated_mode_from_source():
    cmd = worker_command()
    assert "-I" in cmd and cmd[-1] == "--run-exercise-worker"


def test_passing_code_passes_every_test_with_names_docs_and_times(runner):
    r = run(runner, GOOD)
    assert r.status == "ok" and r.all_passed, r
    assert [t.name for t in r.tests] == NAMES
    assert [t.doc for t in r.tests] == DOCS
    assert all(t.seconds >= 0 for t in r.tests)
    assert r.to_json()["passed"] == 2


def test_a_wrong_answer_fails_with_the_assertion_message(runner):
    r = run(runner, "def square(x):\n    return x + x\n")
    assert r.status == "ok" and not r.all_passed
    first, second = r.tests
    assert not first.passed and first.message == "square(3) returned 6"
    assert not second.passed and "Not equal to tolerance" in second.message


def test_an_exception_shows_a_traceback_trimmed_to_the_learners_code(runner):
    code = "def helper(x):\n    return x / 0\n\ndef square(x):\n    return helper(x)\n"
    r = run(runner, code)
    t = r.tests[0]
    assert t.message.startswith("ZeroDivisionError")
    assert "line 2, in helper" in t.traceback and "line 5, in square" in t.traceback
    assert "tests.py" not in t.traceback and "runner" not in t.traceback


def test_infinite_loop_is_stopped_at_the_time_limit(runner):
    started = time.perf_counter()
    r = run(runner, "def square(x):\n    while True:\n        pass\n")
    assert r.status == "timeout"
    assert "time limit" in r.message
    assert time.perf_counter() - started < 3.0 + 3.0
    assert not any(t.passed for t in r.tests)
    assert all(t.message.startswith("Not run") for t in r.tests)


def test_memory_bomb_hits_the_memory_limit(runner):
    r = run(runner, "import numpy as np\ndef square(x):\n    big = np.ones((10**5, 10**5))\n"
                    "    return x * x\n")
    assert r.status == "memory", r
    assert "memory" in r.message.lower()
    assert not any(t.passed for t in r.tests)


def test_memory_bomb_in_pure_python(runner):
    r = run(runner, "def square(x):\n    return [x] * 10**10\n")
    assert r.status == "memory", r
    assert r.tests[0].message.startswith("MemoryError")


def test_sys_exit_is_reported_and_does_not_end_the_run(runner):
    r = run(runner, "import sys\ndef square(x):\n    sys.exit(3)\n")
    assert [t.message for t in r.tests] == ["Your code called sys.exit(3)"] * 2


def test_sys_exit_while_loading(runner):
    r = run(runner, "import sys\nsys.exit(0)\n")
    assert r.status == "exit" and "sys.exit" in r.message


def test_os_exit_is_reported(runner):
    r = run(runner, "import os\ndef square(x):\n    os._exit(4)\n")
    assert r.status == "exit"
    assert "exit code 4" in r.message and "os._exit" in r.message
    assert len(r.tests) == 2 and not any(t.passed for t in r.tests)


def test_ctypes_crash_is_reported(runner):
    r = run(runner, "import ctypes\ndef square(x):\n    return ctypes.string_at(0)\n")
    assert r.status == "crash"
    assert "SIGSEGV" in r.message or "crashed" in r.message


def test_results_before_a_crash_are_kept(runner):
    code = ("import ctypes\ndef square(x):\n    if not isinstance(x, int):\n"
            "        ctypes.string_at(0)\n    return x * x\n")
    r = run(runner, code)
    assert r.status == "crash"
    assert r.tests[0].passed and not r.tests[1].passed


def test_100_mb_printed_is_truncated(runner):
    code = ("import os, sys\nprint('x' * 100_000_000)\nos.write(1, b'y' * 100_000)\n"
            "sys.stderr.write('e' * 50_000)\n" + GOOD)
    started = time.perf_counter()
    r = run(runner, code)
    assert r.all_passed
    assert len(r.stdout) < 20_000 and "more characters not shown" in r.stdout
    assert len(r.stderr) < 10_000 and "more characters not shown" in r.stderr
    assert time.perf_counter() - started < 3.0


def test_printing_in_a_loop_until_the_time_limit(runner):
    r = run(runner, "while True:\n    print('spam ' * 1000)\n")
    assert r.status == "timeout"


def test_syntax_error(runner):
    r = run(runner, "def square(x)\n    return x * x\n")
    assert r.status == "error"
    assert r.message.startswith("SyntaxError at line 1")
    assert not any(t.passed for t in r.tests)


def test_missing_function(runner):
    r = run(runner, "def squared(x):\n    return x * x\n")
    assert r.status == "error"
    assert "does not define `square`" in r.message
    assert all("NameError" in t.message for t in r.tests)


def test_working_folder_is_a_fresh_temporary_folder(runner):
    code = ("import os\nCWD = os.getcwd()\nopen('scratch.txt', 'w').write('hi')\n" + GOOD)
    tests = TESTS + '''
def test_cwd():
    """runs in a temp folder"""
    assert "desktop-quiz-run-" in CWD
'''
    r = runner.run(code, tests, [*NAMES, "test_cwd"], ["square"])
    assert r.all_passed, r


def test_a_misbehaving_run_leaves_a_working_runner(runner):
    run(runner, "import os\nos._exit(1)\n")
    assert run(runner, GOOD).all_passed


def test_warm_worker_answers_fast(runner):
    run(runner, GOOD)  # the next worker is now warming up
    time.sleep(1.0)
    started = time.perf_counter()
    r = run(runner, GOOD)
    assert r.all_passed
    assert time.perf_counter() - started < 1.5  # generous: the machine is shared


def test_suggested_rating_follows_the_tests_passed():
    assert suggest_rating(5, 5) == 3
    assert suggest_rating(3, 5) == 2
    assert suggest_rating(1, 5) == 1
    assert suggest_rating(0, 0) == 1


def test_batch_checks_find_failing_solutions_and_passing_starters():
    starter = "def square(x):\n    raise NotImplementedError\n"
    checks = [
        ExerciseCheck("good", starter, TESTS, GOOD, tuple(NAMES)),
        ExerciseCheck("bad-solution", starter, TESTS, "def square(x):\n    return 0\n",
                      tuple(NAMES)),
        ExerciseCheck("weak-tests", GOOD, TESTS, GOOD, tuple(NAMES)),
        ExerciseCheck("broken", starter, TESTS, "def square(x)\n", tuple(NAMES)),
    ]
    found = check_exercises(checks, jobs=2)
    assert "good" not in found
    assert any("Solution fails test_square" in m for m in found["bad-solution"])
    assert found["weak-tests"] == ["the unchanged Starter passes every test: the tests must "
                                   "be able to fail"]
    assert any("SyntaxError" in m for m in found["broken"])
