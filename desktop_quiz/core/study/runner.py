"""Run a coding exercise's tests against the learner's code, in a separate process.

Design (see docs/architecture.md, "The exercise runner"):

* **A worker process per run.** From source the worker is the same interpreter in
  isolated mode (``python -I -c <boot> --run-exercise-worker``); in the frozen app it
  is the frozen executable itself with the internal flag ``--run-exercise-worker``
  (``cli.main`` hands over to :func:`worker_main` before parsing anything else).
* **Warm.** :class:`Runner` keeps one worker started ahead of time, with NumPy already
  imported, waiting for its job on stdin. A worker runs exactly one job and exits; the
  runner starts the next one right away, so a misbehaving run never leaves a broken
  worker behind.
* **Limits.** Wall time (5 s by default, the parent kills the whole process group);
  memory: ``RLIMIT_AS`` of 512 MB above what the warm worker already uses (Linux; on
  macOS ``RLIMIT_AS`` is not enforced by the kernel, so the wall-time limit is what stops
  a memory bomb there); ``RLIMIT_FSIZE`` caps files written; the working folder is a
  fresh temporary folder, removed afterwards. On Windows there is no ``resource``
  module: the worker runs without a memory limit and the parent's wall-time watchdog is
  the only limit (a job object with ``JOB_OBJECT_LIMIT_PROCESS_MEMORY`` is the way to
  add one).
* **Protocol.** The job is one JSON line on stdin. Results come back as JSON lines on a
  private duplicate of the worker's original stdout, one line per event, flushed as it
  happens, so a crash or a timeout in test 3 still reports tests 1 and 2. The
  learner's ``print`` goes to a capped buffer; anything written to file descriptors 1
  and 2 directly (C code, ``os.write``) goes to a capped file in the working folder.
* **The bank build** runs trusted reference solutions many at a time through
  :func:`check_exercises` (one warm batch worker per core); the bank package never
  imports this module: the CLI passes :func:`check_exercises` to the builder.

This module imports only the standard library at the top: the worker must start fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_quiz.core.model import Exercise

WORKER_FLAG = "--run-exercise-worker"
TIME_LIMIT_S = 5.0
MEMORY_LIMIT_MB = 512
OUTPUT_LIMIT = 8_000  # characters of stdout/stderr kept for the learner
FILE_LIMIT = 16 * 1024 * 1024  # bytes any file the learner's code writes may reach
START_TIMEOUT_S = 60.0  # importing NumPy on a very busy machine
MESSAGE_LIMIT = 1_500
LEARNER_FILE = "solution.py"
TESTS_FILE = "tests.py"


@dataclass
class TestResult:
    name: str
    passed: bool
    message: str = ""  # assertion message or "ExcType: text"
    traceback: str = ""  # frames in the learner's code only
    seconds: float = 0.0
    doc: str = ""


@dataclass
class RunResult:
    """The outcome of one run. ``status``: ok | error | timeout | memory | crash | exit."""

    status: str
    message: str = ""  # one clear sentence when status != ok (or a load problem)
    tests: list[TestResult] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> int:
        return sum(t.passed for t in self.tests)

    @property
    def total(self) -> int:
        return len(self.tests)

    @property
    def all_passed(self) -> bool:
        return self.status == "ok" and bool(self.tests) and all(t.passed for t in self.tests)

    def format_text(self) -> str:
        """For the terminal: one line per test, the failures' messages indented."""
        lines = [self.message] if self.message else []
        for t in self.tests:
            lines.append(f"{'PASS' if t.passed else 'FAIL'}  {t.name}  ({t.doc})")
            for extra in ((t.message,) if not t.passed else ()) + ((t.traceback,) if
                                                                   t.traceback else ()):
                lines += ["      " + line for line in extra.splitlines() if extra]
        lines.append(f"{self.passed}/{self.total} tests passed in {self.seconds:.2f} s")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        return {
            "status": self.status, "message": self.message, "passed": self.passed,
            "total": self.total, "seconds": round(self.seconds, 3),
            "tests": [{"name": t.name, "doc": t.doc, "passed": t.passed, "message": t.message,
                       "traceback": t.traceback, "seconds": round(t.seconds, 4)}
                      for t in self.tests],
            "stdout": self.stdout, "stderr": self.stderr,
        }


def suggest_rating(passed: int, total: int) -> int:
    """Rating suggested from the tests passed (the learner confirms): 1 Again … 3 Good.

    All tests → Good (Easy is the learner's call), at least half → Hard, fewer → Again.
    """
    if total and passed == total:
        return 3
    if total and passed * 2 >= total:
        return 2
    return 1


# -- the parent side ------------------------------------------------------------------
def worker_command() -> list[str]:
    """How to start a worker: the frozen executable with a flag, or ``python -I``."""
    if getattr(sys, "frozen", False):
        exe = Path(sys.executable)
        cli_twin = exe.with_name(exe.stem + "-cli.exe")  # Windows: the console executable
        if sys.platform == "win32" and cli_twin.is_file():
            exe = cli_twin  # has real standard streams, unlike the windowed one
        return [str(exe), WORKER_FLAG]
    package_root = str(Path(__file__).resolve().parents[3])
    boot = (f"import sys; sys.path.insert(0, {package_root!r}); "
            "from desktop_quiz.core.study.worker import worker_main; "
            "sys.exit(worker_main())")
    return [sys.executable, "-I", "-c", boot, WORKER_FLAG]


def _worker_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "QT_"))}
    # One thread per BLAS: the worker shares the machine with the app, and thread pools
    # reserve address space that would eat into the memory limit.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


class _Worker:
    """One started worker process, possibly still importing NumPy."""

    def __init__(self, batch: bool = False):
        import tempfile

        self.folder = tempfile.mkdtemp(prefix="desktop-quiz-run-")
        cmd = worker_command() + (["--batch"] if batch else [])
        kwargs: dict[str, object] = {}
        if os.name == "posix":
            kwargs["start_new_session"] = True  # killpg reaches anything it forks
        else:  # pragma: no cover - Windows
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        self.proc: subprocess.Popen[bytes] = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=self.folder, env=_worker_env(), **kwargs)  # type: ignore[call-overload]
        self.ready = False

    def wait_ready(self, timeout: float) -> bool:
        """Block until the worker says it is ready (NumPy imported)."""
        if self.ready:
            return True
        assert self.proc.stdout is not None
        box: list[bytes] = []
        t = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()),  # type: ignore[union-attr]
                             daemon=True)
        t.start()
        t.join(timeout)
        self.ready = bool(box) and box[0].strip() == b"ready"
        return self.ready

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                if os.name == "posix":
                    os.killpg(self.proc.pid, 9)
                else:  # pragma: no cover - Windows
                    self.proc.kill()
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        self.cleanup()

    def cleanup(self) -> None:
        import shutil

        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class Runner:
    """Runs exercises one at a time with a warm worker; thread-safe.

    ``run`` blocks: the GUI calls it from a worker thread so the window stays
    responsive. ``close`` kills the spare worker.
    """

    def __init__(self, time_limit: float = TIME_LIMIT_S, memory_mb: int = MEMORY_LIMIT_MB,
                 warm: bool = True):
        self.time_limit = time_limit
        self.memory_mb = memory_mb
        self.warm = warm
        self._lock = threading.Lock()
        self._spare: _Worker | None = None
        if warm:
            self.prestart()

    def prestart(self) -> None:
        """Start the spare worker now so the next run does not wait for NumPy."""
        if self._spare is None or not self._spare.alive():
            self._spare = _Worker()

    def close(self) -> None:
        with self._lock:
            if self._spare is not None:
                self._spare.kill()
                self._spare = None

    def _take(self) -> _Worker:
        w, self._spare = self._spare, None
        if w is None or not w.alive():
            if w is not None:
                w.cleanup()
            w = _Worker()
        return w

    def run_exercise(self, exercise: Exercise, code: str) -> RunResult:
        """Run an exercise's tests against ``code`` (the learner's or the Solution)."""
        return self.run(code, exercise.tests, [t.name for t in exercise.test_cases],
                        exercise.entry_points, [t.doc for t in exercise.test_cases])

    def run(self, code: str, tests: str, test_names: Sequence[str],
            entry_points: Sequence[str] = (), docs: Sequence[str] = ()) -> RunResult:
        """Run ``code`` then ``tests`` in one namespace, and call each test in order."""
        with self._lock:
            worker = self._take()
            try:
                return self._run_on(worker, code, tests, test_names, entry_points, docs)
            finally:
                worker.kill()
                if self.warm:
                    self.prestart()

    def _run_on(self, worker: _Worker, code: str, tests: str, test_names: Sequence[str],
                entry_points: Sequence[str], docs: Sequence[str]) -> RunResult:
        if not worker.wait_ready(START_TIMEOUT_S):
            why = _read_rest(worker)
            return RunResult("crash", "The exercise runner could not start"
                             + (f": {why.strip().splitlines()[-1]}" if why.strip() else "."))
        job = {"code": code, "tests": tests, "names": list(test_names),
               "entry_points": list(entry_points), "memory_mb": self.memory_mb,
               "file_limit": FILE_LIMIT}
        started = time.perf_counter()
        try:
            out, err = worker.proc.communicate(json.dumps(job).encode() + b"\n",
                                               timeout=self.time_limit)
            timed_out = False
        except subprocess.TimeoutExpired:
            worker.kill()
            out, err = worker.proc.communicate()
            timed_out = True
        except OSError:
            out, err, timed_out = b"", b"", False
            worker.proc.wait()
        elapsed = time.perf_counter() - started
        result = _assemble(out, test_names, docs)
        result.seconds = elapsed
        code_rc = worker.proc.returncode
        if timed_out:
            result.status = "timeout"
            result.message = (f"Stopped after {self.time_limit:g} s (time limit): an infinite "
                              "loop, or code far too slow for these inputs.")
        elif result.status == "pending":
            result.status = "crash" if code_rc is not None and code_rc < 0 else "exit"
            result.message = _ended_message(code_rc, err)
        if result.stderr == "" and err and result.status != "ok":
            result.stderr = _clip(err.decode("utf-8", "replace"))
        _mark_unrun(result, test_names, docs)
        return result


def _read_rest(worker: _Worker) -> str:
    worker.kill()
    try:
        return (worker.proc.stderr.read() if worker.proc.stderr else b"").decode(
            "utf-8", "replace")
    except (OSError, ValueError):
        return ""


def _ended_message(rc: int | None, err: bytes) -> str:
    import signal

    if rc is not None and rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = f"signal {-rc}"
        if name == "SIGKILL":
            return ("The process was killed (SIGKILL), most likely for using more than "
                    f"{MEMORY_LIMIT_MB} MB of memory.")
        if name == "SIGXFSZ":
            return "The process wrote a file larger than the limit and was stopped."
        return (f"The process crashed ({name}) before the tests finished, e.g. through "
                "ctypes or a bad native call.")
    return (f"The process ended (exit code {rc}) before the tests finished: "
            "os._exit() or something like it ends the whole run.")


def _assemble(out: bytes, names: Sequence[str], docs: Sequence[str]) -> RunResult:
    result = RunResult("pending")
    doc_of = dict(zip(names, docs, strict=False))
    for raw in out.splitlines():
        try:
            event = json.loads(raw)
        except ValueError:
            continue
        kind = event.get("event")
        if kind == "test":
            result.tests.append(TestResult(
                event["name"], bool(event["passed"]), event.get("message", ""),
                event.get("traceback", ""), float(event.get("seconds", 0.0)),
                doc_of.get(event["name"], "")))
        elif kind == "error":
            result.status = event.get("status", "error")
            result.message = event.get("message", "")
        elif kind == "done":
            result.stdout = event.get("stdout", "")
            result.stderr = event.get("stderr", "")
            if result.status == "pending":
                result.status = "ok"
    if result.status == "ok" and any(t.message.startswith("MemoryError") for t in result.tests):
        result.status = "memory"
        result.message = (f"Your code ran out of memory (the limit is {MEMORY_LIMIT_MB} MB): "
                          "look for an array far larger than the inputs need.")
    return result


def _mark_unrun(result: RunResult, names: Sequence[str], docs: Sequence[str]) -> None:
    """Every test without a result failed with the run's message (not run at all)."""
    seen = {t.name for t in result.tests}
    why = result.message or "not run"
    for name, doc in zip(names, list(docs) + [""] * len(names), strict=False):
        if name not in seen:
            result.tests.append(TestResult(name, False, f"Not run: {why}", doc=doc))
    order = {n: i for i, n in enumerate(names)}
    result.tests.sort(key=lambda t: order.get(t.name, len(order)))


def _clip(text: str, limit: int = OUTPUT_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… ({len(text) - limit:,} more characters not shown)"


# -- checks for the bank build (trusted reference code, many at a time) --------------
@dataclass(frozen=True)
class ExerciseCheck:
    """One exercise to check: its code, and where problems are reported."""

    key: str  # e.g. the question id
    starter: str
    tests: str
    solution: str
    names: tuple[str, ...]


def check_exercises(checks: Sequence[ExerciseCheck], jobs: int | None = None,
                    timeout: float = 120.0) -> dict[str, list[str]]:
    """Run each Solution (must pass every test) and Starter (must fail one).

    Returns problem messages per key (keys without problems are absent). The code is
    the bank's own, so it runs in a few warm batch workers (one per core), each
    exercise in a fresh namespace, rather than one process per run.
    """
    if not checks:
        return {}
    jobs = max(1, min(jobs or (os.cpu_count() or 1), len(checks)))
    shares = [list(checks[i::jobs]) for i in range(jobs)]
    results: dict[str, list[str]] = {}
    lock = threading.Lock()

    def one(share: list[ExerciseCheck]) -> None:
        found = _check_share(share, timeout)
        with lock:
            results.update(found)

    threads = [threading.Thread(target=one, args=(s,)) for s in shares]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {k: v for k, v in results.items() if v}


def _check_share(share: list[ExerciseCheck], timeout: float) -> dict[str, list[str]]:
    worker = _Worker(batch=True)
    try:
        job = [{"key": c.key, "starter": c.starter, "tests": c.tests, "solution": c.solution,
                "names": list(c.names)} for c in share]
        try:
            out, err = worker.proc.communicate(json.dumps(job).encode() + b"\n", timeout=timeout)
        except subprocess.TimeoutExpired:
            worker.kill()
            out, err = worker.proc.communicate()
        found: dict[str, list[str]] = {}
        for raw in out.splitlines():
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            if isinstance(event, dict) and "key" in event:
                found[event["key"]] = list(event["problems"])
        for c in share:
            if c.key not in found:
                tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no result"]
                found[c.key] = [f"the check did not finish ({tail[0][:200]})"]
        return found
    finally:
        worker.kill()
