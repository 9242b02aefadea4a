"""What `nox -s lint` and `invoke format` check: clang-format on the C sources, cppcheck on components/.

The layering check (no platform header in domain/application) lives in layering.py.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

FORMAT_DIRS = ("components", "main", "simulator", "host_tests")
C_SUFFIXES = (".c", ".h")

# cppcheck findings that are noise for this code base, each with the reason.
CPPCHECK_SUPPRESSIONS = (
    # System headers are not given to cppcheck on purpose (it analyses our code, not libc).
    "missingIncludeSystem",
    # ESP-IDF headers are not installed on host machines; adapters still get checked.
    "missingInclude",
    # Public API functions are called from other components or only from tests.
    "unusedFunction",
    # Port callbacks must keep the signature of the port's function pointer type.
    "constParameterCallback",
    # Inline suppressions and this list are shared by all cppcheck versions; not every entry fires.
    "unmatchedSuppression",
    # Headers reached from several translation units are checked once per configuration; fine.
    "checkersReport",
)


def c_sources(root: Path, dirs: tuple[str, ...] = FORMAT_DIRS) -> list[str]:
    """Tracked and new (not ignored) .c/.h files under dirs, relative to root, sorted.

    New files count too: a file is checked from the moment it exists, not only once it is committed.
    Outside a git checkout every .c/.h under dirs is taken, except build output.
    """
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", *dirs],
            capture_output=True,
            check=True,
        )
        names = [n for n in result.stdout.decode("utf-8").split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = [
            str(p.relative_to(root))
            for d in dirs
            for p in (root / d).rglob("*")
            if p.is_file() and "build" not in p.relative_to(root).parts
        ]
    return sorted({n for n in names if n.endswith(C_SUFFIXES) and (root / n).is_file()})


def clang_format_check_cmd(files: list[str]) -> list[str]:
    return ["clang-format", "--dry-run", "--Werror", *files]


def clang_format_fix_cmd(files: list[str]) -> list[str]:
    return ["clang-format", "-i", *files]


def cppcheck_include_dirs(root: Path) -> list[str]:
    dirs = ["components/domain/include", "components/application/include"]
    infrastructure = root / "components" / "infrastructure"
    if infrastructure.is_dir():
        dirs += sorted(
            str(p.relative_to(root)) for p in infrastructure.glob("*/include") if p.is_dir()
        )
    return dirs


def cppcheck_cmd(root: Path, build_dir: str = "build/cppcheck") -> list[str]:
    cmd = [
        "cppcheck",
        "--std=c11",
        "--enable=warning,style,performance,portability",
        "--error-exitcode=1",
        "--inline-suppr",
        "--quiet",
        f"--cppcheck-build-dir={build_dir}",
        "-j",
        "4",
    ]
    cmd += [f"--suppress={s}" for s in CPPCHECK_SUPPRESSIONS]
    cmd += [f"-I{d}" for d in cppcheck_include_dirs(root)]
    return cmd + ["components"]
