"""Smoke tests of the built installers (run `python packaging/build.py` first).

Marked `packaging`: `python -m pytest -m packaging`. They run the frozen app as a
real subprocess, offscreen, with a scratch data folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_quiz import __version__

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
VERSION = __version__
EXE = "desktop-quiz-cli.exe" if sys.platform == "win32" else "desktop-quiz"

pytestmark = pytest.mark.packaging
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the .deb and tarball are built on Linux only")


def frozen_exe() -> Path:
    exe = DIST / "desktop-quiz" / EXE
    if not exe.is_file():
        pytest.fail(f"{exe} not found: run `python packaging/build.py` first")
    return exe


def run_frozen(exe: Path, *args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DESKTOP_QUIZ_DATA_DIR": str(data_dir)}
    env.pop("DESKTOP_QUIZ_BANK", None)  # the frozen app must use its own bundled bank
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env,
                          timeout=300, cwd=data_dir)


def assert_smoke(exe: Path, data_dir: Path) -> None:
    result = run_frozen(exe, "--smoke-test", "--count", "10", data_dir=data_dir)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("answered ")]
    assert [line.split()[1] for line in lines] == [str(n) for n in range(1, 11)]
    assert len({line.split()[2] for line in lines}) == 10  # ten distinct questions
    assert (data_dir / "progress.sqlite").is_file()


def test_frozen_version(tmp_path: Path) -> None:
    result = run_frozen(frozen_exe(), "--version", data_dir=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"desktop-quiz {VERSION}"


def test_frozen_smoke_test(tmp_path: Path) -> None:
    assert_smoke(frozen_exe(), tmp_path)


def test_frozen_bank_is_bundled_and_complete(tmp_path: Path) -> None:
    import json

    result = run_frozen(frozen_exe(), "bank", "stats", "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["questions"] >= 650


def test_frozen_app_draws_the_progress_charts(tmp_path: Path) -> None:
    # matplotlib and numpy load only with the Progress screen; the spec trims both.
    from PySide6.QtGui import QImage

    data = tmp_path / "data"
    data.mkdir()
    assert run_frozen(frozen_exe(), "demo", "--days", "30", data_dir=data).returncode == 0
    shots = tmp_path / "shots"
    result = run_frozen(frozen_exe(), "screenshots", str(shots), "--theme", "dark",
                        data_dir=data)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Error" not in result.stderr, result.stderr[-2000:]  # e.g. a module left out
    assert "UserWarning" not in result.stderr, result.stderr[-2000:]  # e.g. mpl_toolkits
    image = QImage(str(shots / "progress.png"))
    assert image.width() >= 1000 and image.height() >= 600
    # Charts, not an empty page: the content area right of the sidebar has many colours
    # (bars, lines, the heatmap), on a dark background in the dark theme.
    colours = {image.pixel(x, y) for x in range(260, image.width(), 7)
               for y in range(40, image.height(), 7)}
    assert len(colours) > 50
    assert image.pixelColor(image.width() // 2, image.height() - 5).lightness() < 100


def test_frozen_app_runs_exercises_in_its_own_worker(tmp_path: Path) -> None:
    """`exercise run` through the frozen app: a passing and a failing solution."""
    import json
    import re

    source = (ROOT / "questions" / "ml-coding" / "ex-stable-softmax.md").read_text()
    solution = re.search(r"## Solution\n\n```python\n(.*?)```", source, re.S).group(1)
    starter = re.search(r"## Starter\n\n```python\n(.*?)```", source, re.S).group(1)
    good, bad = tmp_path / "good.py", tmp_path / "bad.py"
    good.write_text(solution)
    bad.write_text(starter)
    ok = run_frozen(frozen_exe(), "exercise", "run", "ex-stable-softmax", "--file", str(good),
                    "--json", data_dir=tmp_path)
    assert ok.returncode == 0, ok.stdout[-2000:] + ok.stderr[-2000:]
    figures = json.loads(ok.stdout)
    assert figures["status"] == "ok" and figures["passed"] == figures["total"] >= 3
    failed = run_frozen(frozen_exe(), "exercise", "run", "ex-stable-softmax", "--file",
                        str(bad), data_dir=tmp_path)
    assert failed.returncode == 1, failed.stderr[-2000:]
    assert "FAIL  test_" in failed.stdout and "NotImplementedError" in failed.stdout
    assert re.search(r"\b0/\d+ tests passed", failed.stdout)
    unknown = run_frozen(frozen_exe(), "exercise", "run", "ex-nope", "--file", str(good),
                         data_dir=tmp_path)
    assert unknown.returncode == 2


def test_frozen_app_builds_drills_and_exports_own_questions(tmp_path: Path) -> None:
    """Issue 16 in the installed app: the builder toolchain ships, so own questions
    (math, code, a table, a coding exercise) are checked, rendered, drilled through the
    real widgets, shown in the editor's preview and exported to Anki."""
    import sqlite3

    from PySide6.QtGui import QImage

    own = ROOT / "tests" / "fixtures" / "own-questions"
    data = tmp_path / "data"
    data.mkdir()
    broken = tmp_path / "broken" / "my-interviews"
    broken.mkdir(parents=True)
    text = (own / "my-interviews" / "my-relu.md").read_text()
    (broken / "my-relu.md").write_text(text.replace("return np.maximum(x, 0.0)",
                                                    "return np.abs(x)"))
    refused = run_frozen(frozen_exe(), "questions", "import", str(broken.parent), data_dir=data)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert f"{broken}/my-relu.md:" in refused.stderr and "the Solution fails" in refused.stderr

    imported = run_frozen(frozen_exe(), "questions", "import", str(own), data_dir=data)
    assert imported.returncode == 0, imported.stderr[-2000:]
    con = sqlite3.connect(data / "my-bank.sqlite")
    try:
        prompt, answer = con.execute("SELECT prompt_html, answer_html FROM questions "
                                     "WHERE id = 'my-softmax-temperature'").fetchone()
        assert "math:" in prompt and "<table" in answer and "color:" in prompt  # highlighted
    finally:
        con.close()

    smoke = run_frozen(frozen_exe(), "--smoke-test", "--mine", "--count", "3", data_dir=data)
    assert smoke.returncode == 0, smoke.stderr[-2000:]
    answered = sorted(line.split()[2] for line in smoke.stdout.splitlines()
                      if line.startswith("answered "))
    assert answered == ["my-batchnorm-inference", "my-relu", "my-softmax-temperature"]

    apkg = tmp_path / "mine.apkg"
    exported = run_frozen(frozen_exe(), "export", "anki", str(apkg), "--mine", data_dir=data)
    assert exported.returncode == 0 and apkg.stat().st_size > 1000, exported.stderr[-2000:]

    shots = tmp_path / "shots"
    result = run_frozen(frozen_exe(), "screenshots", str(shots), data_dir=data)
    assert result.returncode == 0, result.stderr[-2000:]
    image = QImage(str(shots / "editor.png"))
    assert image.width() >= 1000
    # The preview (right half) holds rendered text, formulas and a dark code block.
    colours = {image.pixel(x, y) for x in range(image.width() // 2 + 40, image.width() - 20, 5)
               for y in range(60, image.height() - 80, 5)}
    assert len(colours) > 40


def deb_path() -> Path:
    debs = sorted(DIST.glob(f"desktop-quiz_{VERSION}_*.deb"))
    if not debs:
        pytest.fail("no .deb in dist/: run `python packaging/build.py` first")
    return debs[-1]


@linux_only
def test_deb_lists_the_expected_files() -> None:
    listing = subprocess.run(["dpkg-deb", "-c", str(deb_path())], capture_output=True,
                             text=True, check=True).stdout
    names = {line.split()[-1].lstrip(".") for line in listing.splitlines()}
    names |= {line.split()[-3].lstrip(".") for line in listing.splitlines() if " -> " in line}
    for expected in [
        "/opt/desktop-quiz/desktop-quiz",
        "/usr/bin/desktop-quiz",
        "/usr/share/applications/desktop-quiz.desktop",
        "/usr/share/metainfo/desktop-quiz.metainfo.xml",
        "/usr/share/icons/hicolor/scalable/apps/desktop-quiz.svg",
        "/usr/share/icons/hicolor/16x16/apps/desktop-quiz.png",
        "/usr/share/icons/hicolor/256x256/apps/desktop-quiz.png",
    ]:
        assert expected in names, expected
    assert any(n.endswith("desktop_quiz/data/bank.sqlite") for n in names)
    assert all(line.split()[1] == "root/root" for line in listing.splitlines())


@linux_only
def test_deb_control_depends_on_qt_system_libraries() -> None:
    control = subprocess.run(["dpkg-deb", "-f", str(deb_path())], capture_output=True,
                             text=True, check=True).stdout
    assert f"Version: {VERSION}" in control
    depends = next(line for line in control.splitlines() if line.startswith("Depends:"))
    for lib in ("libxcb-cursor0", "libxkbcommon-x11-0", "libegl1", "libfontconfig1"):
        assert lib in depends


@linux_only
def test_deb_installs_into_a_scratch_root_and_runs(tmp_path: Path) -> None:
    root = tmp_path / "root"
    subprocess.run(["dpkg", "-x", str(deb_path()), str(root)], check=True)
    wrapper = (root / "usr" / "bin" / "desktop-quiz").read_text()
    assert "/opt/desktop-quiz/desktop-quiz" in wrapper
    data = tmp_path / "data"
    data.mkdir()
    assert_smoke(root / "opt" / "desktop-quiz" / "desktop-quiz", data)


@linux_only
def test_tarball_exists() -> None:
    tarball = DIST / f"desktop-quiz-{VERSION}-linux-{os.uname().machine}.tar.gz"
    assert tarball.is_file() and tarball.stat().st_size > 10_000_000


def test_wheel_ships_a_built_bank_and_icons(tmp_path: Path) -> None:
    import sqlite3
    import zipfile

    # Build isolation, as for any user: the build requirements come from pyproject.toml.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, timeout=900)
    wheel = next(tmp_path.glob("desktop_quiz-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        assert "desktop_quiz/resources/icons/desktop-quiz.svg" in names
        (tmp_path / "bank.sqlite").write_bytes(z.read("desktop_quiz/data/bank.sqlite"))
        entry_points = z.read(f"desktop_quiz-{VERSION}.dist-info/entry_points.txt").decode()
    assert "[gui_scripts]\ndesktop-quiz = desktop_quiz.cli:main" in entry_points
    count = sqlite3.connect(tmp_path / "bank.sqlite").execute(
        "SELECT value FROM meta WHERE key = 'question_count'").fetchone()[0]
    assert int(count) >= 650
