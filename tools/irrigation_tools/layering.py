"""Layering check: the domain and application components include no platform header.

The dependency rule (docs: architecture) says domain includes only C standard headers and domain/
headers; application adds application/ headers. Anything else (esp_*, freertos/*, pthread.h, unistd.h,
sys/*, MQTTAsync.h, microhttpd.h, sdkconfig.h, ...) would tie the portable core to one platform, so
`nox -s lint` fails on it. A quoted include of a file that sits in the same component (a private
header next to the source) is allowed.

Run: python -m irrigation_tools.layering [REPO_ROOT]   (exit 1 and one line per violation)
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

# C11 (ISO/IEC 9899:2011, clause 7) standard headers.
C_STANDARD_HEADERS = frozenset(
    """assert.h complex.h ctype.h errno.h fenv.h float.h inttypes.h iso646.h limits.h locale.h math.h
    setjmp.h signal.h stdalign.h stdarg.h stdatomic.h stdbool.h stddef.h stdint.h stdio.h stdlib.h
    stdnoreturn.h string.h tgmath.h threads.h time.h uchar.h wchar.h wctype.h""".split()
)

# Which project header folders each layer may include (besides the C standard headers).
LAYERS = {
    "domain": ("domain/",),
    "application": ("domain/", "application/"),
}

_INCLUDE_RE = re.compile(r'^\s*#\s*include\s*(?:<([^>]+)>|"([^"]+)"|(\S+))')
_BLOCK_COMMENT_RE = re.compile(r"/\*.*?\*/", re.DOTALL)
SOURCE_SUFFIXES = (".c", ".h")


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    header: str
    layer: str

    def format(self, root: Path) -> str:
        try:
            shown = self.path.relative_to(root)
        except ValueError:
            shown = self.path
        allowed = " and ".join(LAYERS[self.layer])
        return (
            f"{shown}:{self.line}: includes {self.header}: the {self.layer} layer may include only C standard "
            f"headers and {allowed} headers"
        )


def _strip_comments(text: str) -> str:
    # Keep line numbers: replace each block comment by as many newlines as it spanned.
    text = _BLOCK_COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())


def includes(text: str) -> list[tuple[int, str, bool]]:
    """(line number, header, quoted) for every #include; a macro include is reported as its token."""
    found = []
    for number, line in enumerate(_strip_comments(text).splitlines(), start=1):
        match = _INCLUDE_RE.match(line)
        if match:
            angled, quoted, other = match.groups()
            found.append((number, angled or quoted or other, quoted is not None))
    return found


def _allowed(header: str, quoted: bool, layer: str, source: Path, component_dir: Path) -> bool:
    if header in C_STANDARD_HEADERS:
        return True
    if any(header.startswith(prefix) for prefix in LAYERS[layer]):
        return True
    if quoted:
        # A private header of the same component, next to the source or in its src/ folder.
        candidate = (source.parent / header).resolve()
        return candidate.is_file() and component_dir.resolve() in candidate.parents
    return False


def check_tree(root: Path) -> list[Violation]:
    violations = []
    for layer in LAYERS:
        component_dir = root / "components" / layer
        if not component_dir.is_dir():
            continue
        for source in sorted(p for p in component_dir.rglob("*") if p.suffix in SOURCE_SUFFIXES and p.is_file()):
            text = source.read_text(encoding="utf-8", errors="replace")
            for line, header, quoted in includes(text):
                if not _allowed(header, quoted, layer, source, component_dir):
                    violations.append(Violation(source, line, header, layer))
    return violations


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path(__file__).resolve().parents[2]
    violations = check_tree(root)
    for violation in violations:
        print(violation.format(root))
    checked = ", ".join(f"components/{layer}" for layer in LAYERS)
    if violations:
        print(f"layering: {len(violations)} platform include(s) in {checked}")
        return 1
    print(f"layering: ok ({checked} include only C standard and project headers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
