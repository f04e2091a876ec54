"""The exercise worker: the process that runs the learner's code (see ``runner``).

It is started by :class:`~desktop_quiz.core.study.runner.Runner` as
``python -I -c <boot> --run-exercise-worker`` (or the frozen executable with that
flag). It imports NumPy, says ``ready``, reads one JSON job from stdin, applies the
resource limits, runs the code and the tests in one namespace, and writes one JSON
line per event to a private duplicate of its original stdout. ``--batch`` runs the
bank build's checks (trusted code, many exercises, no limits beyond the parent's
timeout). Standard library only: it must start fast, and it must not import Qt.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from desktop_quiz.core.study.runner import (
    FILE_LIMIT,
    LEARNER_FILE,
    MEMORY_LIMIT_MB,
    MESSAGE_LIMIT,
    OUTPUT_LIMIT,
    TESTS_FILE,
    _clip,
)


class _CappedText:
    """A text stream keeping the first ``limit`` characters and counting the rest."""

    def __init__(self, limit: int = OUTPUT_LIMIT):
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def write(self, s: str) -> int:
        s = str(s)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(s[:room])
            self.kept += min(room, len(s))
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def value(self) -> str:
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n… ({self.dropped:,} more characters not shown)"
        return text


def _trim_traceback(exc: BaseException) -> tuple[str, str]:
    """(message, frames in the learner's code) for an exception."""
    import traceback

    only = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if isinstance(exc, AssertionError):
        text = str(exc).strip()
        only = text if text else "AssertionError (an assert failed)"
    if isinstance(exc, MemoryError):
        only = f"MemoryError: the code used more than the {MEMORY_LIMIT_MB} MB memory limit"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == LEARNER_FILE]
    lines = [f'  line {f.lineno}, in {f.name}' + (f"\n    {f.line}" if f.line else "")
             for f in frames]
    return only[:MESSAGE_LIMIT], "\n".join(lines[-6:])


def _limit_resources(memory_mb: int, file_limit: int) -> None:
    try:
        import resource
        import signal
    except ImportError:  # pragma: no cover - Windows: the parent's watchdog only
        return
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-big file fails, it doesn't kill
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))
        if sys.platform.startswith("linux"):
            with open("/proc/self/statm") as f:
                used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            limit = used + memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        else:
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (OSError, ValueError):  # pragma: no cover - a hard limit already lower
        pass


def worker_main(argv: Sequence[str] | None = None) -> int:
    """The worker process: import NumPy, say ready, run one job (or a batch), exit."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if sys.path and sys.path[0] in ("", "."):
        sys.path.pop(0)
    with contextlib.suppress(ImportError):  # numpy is a dependency; imported before timing
        import numpy  # noqa: F401
    proto = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    if "--batch" in argv:
        return _batch(proto)
    proto.write("ready\n")
    proto.flush()
    line = sys.stdin.readline()
    if not line:
        return 0
    job = json.loads(line)
    _limit_resources(int(job.get("memory_mb", MEMORY_LIMIT_MB)),
                     int(job.get("file_limit", FILE_LIMIT)))
    # File descriptors 1 and 2 now go to a file in the working folder; the learner's
    # print() goes to capped buffers; results go to ``proto`` only.
    sink = os.open("output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(sink, 1)
    os.dup2(sink, 2)
    out, err = _CappedText(), _CappedText()
    sys.stdout, sys.stderr = out, err

    def emit(event: dict[str, object]) -> None:
        proto.write(json.dumps(event) + "\n")
        proto.flush()

    _run_job(job, emit)
    fd_text = ""
    try:
        with open("output.txt", encoding="utf-8", errors="replace") as f:
            fd_text = f.read(OUTPUT_LIMIT + 1)
    except OSError:
        pass
    stdout_text = out.value() + (("\n" if out.parts else "") + _clip(fd_text) if fd_text else "")
    emit({"event": "done", "stdout": stdout_text, "stderr": err.value()})
    proto.close()
    os._exit(0)  # the learner's threads or atexit handlers must not keep us alive


def _run_job(job: dict[str, Any], emit: Callable[[dict[str, object]], None]) -> None:
    ns: dict[str, object] = {"__name__": "solution", "__builtins__": __builtins__}
    try:
        compiled = compile(job["code"], LEARNER_FILE, "exec")
    except SyntaxError as exc:
        where = f"line {exc.lineno}" if exc.lineno else "your code"
        emit({"event": "error", "status": "error",
              "message": f"SyntaxError at {where}: {exc.msg}"})
        return
    except ValueError as exc:  # e.g. NUL bytes
        emit({"event": "error", "status": "error", "message": f"Cannot compile: {exc}"})
        return
    _remember_source(job["code"])
    try:
        exec(compiled, ns)
    except SystemExit as exc:
        emit({"event": "error", "status": "exit",
              "message": f"Your code called sys.exit({exc.code!r}) while loading; "
                         "nothing was tested."})
        return
    except BaseException as exc:
        message, tb = _trim_traceback(exc)
        emit({"event": "error", "status": "error",
              "message": f"Your code raised while loading: {message}"
                         + (f"\n{tb}" if tb else "")})
        return
    missing = [n for n in job.get("entry_points", []) if n not in ns]
    if missing:
        emit({"event": "error", "status": "error",
              "message": "Your code does not define " + ", ".join(f"`{n}`" for n in missing)
                         + " (the starter's signature must stay)."})
    try:
        exec(compile(job["tests"], TESTS_FILE, "exec"), ns)
    except BaseException as exc:
        emit({"event": "error", "status": "error",
              "message": f"The tests could not load: {type(exc).__name__}: {exc}"})
        return
    for name in job["names"]:
        fn = ns.get(name)
        t0 = time.perf_counter()
        try:
            if not callable(fn):
                raise NameError(f"test {name} was replaced by your code")
            fn()
        except SystemExit as exc:
            emit({"event": "test", "name": name, "passed": False,
                  "message": f"Your code called sys.exit({exc.code!r})",
                  "seconds": time.perf_counter() - t0})
        except BaseException as exc:
            message, tb = _trim_traceback(exc)
            emit({"event": "test", "name": name, "passed": False, "message": message,
                  "traceback": tb, "seconds": time.perf_counter() - t0})
        else:
            emit({"event": "test", "name": name, "passed": True,
                  "seconds": time.perf_counter() - t0})


def _remember_source(code: str) -> None:
    """Let tracebacks show the learner's lines (the file exists only in memory)."""
    import linecache

    linecache.cache[LEARNER_FILE] = (len(code), None, code.splitlines(True), LEARNER_FILE)


def _batch(proto) -> int:  # type: ignore[no-untyped-def]
    """Bank checks: for each exercise, Solution must pass all, Starter must fail one."""
    jobs = json.loads(sys.stdin.readline() or "[]")
    sink = os.open(os.devnull, os.O_WRONLY)
    os.dup2(sink, 1)
    os.dup2(sink, 2)
    for job in jobs:
        problems: list[str] = []
        for which in ("solution", "starter"):
            events: list[dict[str, object]] = []
            saved = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = _CappedText(), _CappedText()
            try:
                _run_job({"code": job[which], "tests": job["tests"], "names": job["names"]},
                         events.append)
            finally:
                sys.stdout, sys.stderr = saved
            errors = [e for e in events if e["event"] == "error"]
            passed = [e["name"] for e in events if e["event"] == "test" and e["passed"]]
            failed = [e for e in events if e["event"] == "test" and not e["passed"]]
            if which == "solution":
                problems += [f"the Solution does not load: {e['message']}" for e in errors]
                problems += [f"the Solution fails {e['name']}: {str(e['message'])[:200]}"
                             for e in failed]
            elif not errors and len(passed) == len(job["names"]):
                problems.append("the unchanged Starter passes every test: "
                                "the tests must be able to fail")
        proto.write(json.dumps({"key": job["key"], "problems": problems}) + "\n")
        proto.flush()
    proto.close()
    os._exit(0)
