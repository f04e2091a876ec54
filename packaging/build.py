"""Build the installers: ``python packaging/build.py`` (works offline).

1. builds the question bank from questions/ into desktop_quiz/data/bank.sqlite;
2. freezes the app with PyInstaller (packaging/desktop-quiz.spec, one folder);
3. packages it for this OS into dist/:
   - Linux: desktop-quiz-<v>-linux-<arch>.tar.gz and desktop-quiz_<v>_<debarch>.deb
   - Windows: desktop-quiz-<v>-windows-x64-setup.exe (Inno Setup, if iscc is on PATH)
   - macOS: desktop-quiz-<v>-macos.dmg (hdiutil)
4. prints each artifact's size and checks the size budgets.

The same script runs on every OS in .github/workflows/release.yml.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
FROZEN = DIST / "desktop-quiz"
# The one version number lives in desktop_quiz/__init__.py (pyproject reads it too).
VERSION = re.search(r'__version__ = "([^"]+)"',
                    (ROOT / "desktop_quiz" / "__init__.py").read_text()).group(1)  # type: ignore[union-attr]
# Issue 6's budget. Bank v2 (1,592 questions, 69 exercises) fits since its formulas are
# stored with relative paths in 1 KB pages (19.0 MB, was 25.8), with the renderer
# bundled for the learner's own questions.
BUDGET_FROZEN_MB = 200
BUDGET_DEB_MB = 75
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Debian packages providing the system libraries the bundled Qt loads (xcb platform).
# The spec leaves these desktop libraries out of the bundle, so the .deb depends on them.
DEB_DEPENDS = [
    "libc6", "libstdc++6", "libgcc-s1", "zlib1g", "libexpat1", "libffi8", "libegl1", "libgl1",
    "libopengl0", "libxkbcommon0", "libxkbcommon-x11-0", "libfontconfig1", "libfreetype6",
    "libharfbuzz0b", "libpng16-16", "libdbus-1-3",
    "libglib2.0-0", "libx11-6", "libx11-xcb1", "libxcb1", "libxcb-cursor0", "libxcb-icccm4",
    "libxcb-keysyms1", "libxcb-shape0", "libxcb-xinerama0", "libxcb-randr0",
    "libxcb-render-util0", "libxcb-image0", "libxcb-xkb1", "libwayland-client0",
    "libwayland-cursor0", "libwayland-egl1",
]


def log(message: str) -> None:
    print(f"[build] {message}", flush=True)


def build_bank() -> None:
    sys.path.insert(0, str(ROOT))
    from desktop_quiz.core.bank.build import build_bank as build

    out = ROOT / "desktop_quiz" / "data" / "bank.sqlite"
    compiled = build(ROOT / "questions", out)
    log(f"bank: {len(compiled.questions)} questions -> {out}")


def freeze() -> None:
    shutil.rmtree(FROZEN, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--distpath", str(DIST), "--workpath", str(ROOT / "build" / "pyinstaller"),
                    str(ROOT / "packaging" / "desktop-quiz.spec")], check=True, cwd=ROOT)
    if sys.platform.startswith("linux"):
        strip_safe_binaries()
    log(f"frozen: {FROZEN} ({folder_mb(FROZEN):.1f} MB)")


def strip_safe_binaries() -> None:
    """Strip symbols from the bundle's shared objects (about 15–25 MB).

    Except the libraries that wheels vendor into ``*.libs/`` folders: auditwheel
    rewrote those with patchelf, and stripping them breaks loading (NumPy's
    OpenBLAS reports "ELF load command address/offset not page-aligned").
    """
    internal = FROZEN / "_internal"
    targets = [str(p) for p in internal.rglob("*.so*")
               if p.is_file() and not p.is_symlink()
               and not any(part.endswith(".libs") for part in p.relative_to(internal).parts)]
    subprocess.run(["strip", "--strip-unneeded", *targets], check=True)


def folder_mb(path: Path) -> float:
    """Size on disk; symlinks (PyInstaller makes some) are not counted twice."""
    return sum(p.stat().st_size for p in path.rglob("*")
               if p.is_file() and not p.is_symlink()) / 1e6


def render_icons(target: Path) -> dict[int, Path]:
    """PNG icons at the hicolor sizes, rendered from the SVG with Qt."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(ROOT / "resources" / "icons" / "desktop-quiz.svg"))
    out = {}
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        path = target / f"desktop-quiz-{size}.png"
        image.save(str(path))
        out[size] = path
    return out


def linux_tarball() -> Path:
    arch = platform.machine()
    out = DIST / f"desktop-quiz-{VERSION}-linux-{arch}.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        tar.add(FROZEN, arcname=f"desktop-quiz-{VERSION}")
    return out


def linux_deb() -> Path:
    debarch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    root = ROOT / "build" / "deb-root"
    shutil.rmtree(root, ignore_errors=True)
    opt = root / "opt" / "desktop-quiz"
    shutil.copytree(FROZEN, opt, symlinks=True)
    bin_dir = root / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    launcher = bin_dir / "desktop-quiz"
    launcher.write_text('#!/bin/sh\nexec /opt/desktop-quiz/desktop-quiz "$@"\n')
    launcher.chmod(0o755)
    share = root / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy(ROOT / "packaging" / "linux" / "desktop-quiz.desktop", share / "applications")
    (share / "metainfo").mkdir(parents=True)
    metainfo = (ROOT / "packaging" / "linux" / "desktop-quiz.metainfo.xml").read_text()
    metainfo = metainfo.replace("@VERSION@", VERSION).replace(
        "@DATE@", dt.date.today().isoformat())
    (share / "metainfo" / "desktop-quiz.metainfo.xml").write_text(metainfo)
    icons = share / "icons" / "hicolor"
    (icons / "scalable" / "apps").mkdir(parents=True)
    shutil.copy(ROOT / "resources" / "icons" / "desktop-quiz.svg", icons / "scalable" / "apps")
    tmp = ROOT / "build" / "icons"
    tmp.mkdir(parents=True, exist_ok=True)
    for size, png in render_icons(tmp).items():
        folder = icons / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True)
        shutil.copy(png, folder / "desktop-quiz.png")
    installed_kb = int(folder_mb(root) * 1000)
    control = root / "DEBIAN"
    control.mkdir()
    (control / "control").write_text(
        f"Package: desktop-quiz\nVersion: {VERSION}\nSection: education\nPriority: optional\n"
        f"Architecture: {debarch}\nInstalled-Size: {installed_kb}\n"
        f"Depends: {', '.join(DEB_DEPENDS)}\n"
        "Maintainer: desktop-quiz developers <desktop-quiz@users.noreply.github.com>\n"
        "Description: offline drills for machine-learning interviews\n"
        " Multiple-choice and free-recall questions on 31 ML topics, spaced repetition,\n"
        " timed mock interviews and progress charts. Learner data stays in the user's\n"
        " data folder and survives upgrades and removal of this package.\n")
    # Refresh desktop and icon caches where the tools exist; never fail the install.
    hook = ("#!/bin/sh\nset -e\n"
            "command -v update-desktop-database >/dev/null && update-desktop-database -q || true\n"
            "command -v gtk-update-icon-cache >/dev/null && "
            "gtk-update-icon-cache -q /usr/share/icons/hicolor || true\n")
    for name in ("postinst", "postrm"):
        (control / name).write_text(hook)
        (control / name).chmod(0o755)
    out = DIST / f"desktop-quiz_{VERSION}_{debarch}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def windows_installer() -> Path | None:
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    if iscc is None:
        log("iscc (Inno Setup) not on PATH: skipping the Windows installer")
        return None
    script = ROOT / "packaging" / "windows" / "desktop-quiz.iss"
    subprocess.run([iscc, f"/DAppVersion={VERSION}", f"/DSourceDir={FROZEN}",
                    f"/DOutputDir={DIST}", str(script)], check=True)
    return DIST / f"desktop-quiz-{VERSION}-windows-x64-setup.exe"


def macos_dmg() -> Path:
    app = DIST / "Desktop Quiz.app"
    out = DIST / f"desktop-quiz-{VERSION}-macos.dmg"
    out.unlink(missing_ok=True)
    subprocess.run(["hdiutil", "create", "-volname", "Desktop Quiz", "-srcfolder", str(app),
                    "-ov", "-format", "UDZO", str(out)], check=True)
    return out


def startup_report(runs: int = 9) -> None:
    """Start-up to a populated Home screen: the frozen app against running from source.

    Both start with the same demo history (30 days); "first" is the first start after
    the build, "median" the median of ``runs`` further starts.
    """
    from desktop_quiz.bench import compile_bytecode, wall_until_ready

    exe = FROZEN / ("desktop-quiz-cli.exe" if sys.platform == "win32" else "desktop-quiz")
    data = DIST / "startup-data"
    shutil.rmtree(data, ignore_errors=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DESKTOP_QUIZ_DATA_DIR": str(data)}
    env.pop("DESKTOP_QUIZ_BANK", None)
    subprocess.run([sys.executable, "-m", "desktop_quiz", "demo", "--days", "30"], env=env,
                   cwd=ROOT, check=True, capture_output=True)
    compile_bytecode()  # as an installed copy would have
    ready = {**env, "DESKTOP_QUIZ_EXIT_WHEN_READY": "1"}
    commands = {"frozen": [str(exe)], "source": [sys.executable, "-m", "desktop_quiz"]}
    figures: dict[str, tuple[float, float]] = {}
    for name, cmd in commands.items():
        first = wall_until_ready(cmd, ready)
        rest = sorted(wall_until_ready(cmd, ready) for _ in range(runs))
        figures[name] = (first, rest[runs // 2])
    print(f"\n{'start-up to Home (ms)':<30} {'first':>8} {'median':>8}")
    for name, (first, median) in figures.items():
        print(f"{name:<30} {first:>8.0f} {median:>8.0f}")
    gap = figures["frozen"][1] - figures["source"][1]
    verdict = "met" if gap <= 0 else f"MISSED by {gap:.0f} ms ({gap / figures['source'][1]:.0%})"
    print(f"budget: frozen no slower than source: {verdict}")
    shutil.rmtree(data, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-freeze", action="store_true",
                        help="reuse dist/desktop-quiz from an earlier run")
    parser.add_argument("--no-startup", action="store_true",
                        help="skip the start-up timing of frozen vs source")
    args = parser.parse_args()
    build_bank()
    if not args.skip_freeze:
        freeze()
    artifacts: list[Path] = []
    if sys.platform.startswith("linux"):
        artifacts += [linux_tarball(), linux_deb()]
    elif sys.platform == "win32":
        artifacts += [p for p in [windows_installer()] if p]
    elif sys.platform == "darwin":
        artifacts.append(macos_dmg())
    frozen_mb = folder_mb(FROZEN)
    print(f"\n{'artifact':<52} {'size':>10}")
    print(f"{'dist/desktop-quiz/ (frozen folder)':<52} {frozen_mb:>7.1f} MB"
          f"  budget {BUDGET_FROZEN_MB} MB")
    ok = frozen_mb <= BUDGET_FROZEN_MB
    for path in artifacts:
        mb = path.stat().st_size / 1e6
        budget = f"  budget {BUDGET_DEB_MB} MB" if path.suffix == ".deb" else ""
        print(f"{'dist/' + path.name:<52} {mb:>7.1f} MB{budget}")
        ok &= not (path.suffix == ".deb" and mb > BUDGET_DEB_MB)
    if not ok:
        print("a size budget is exceeded", file=sys.stderr)
        return 1
    if not args.no_startup:
        startup_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
