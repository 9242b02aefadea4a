"""Developer tooling of the smart-irrigation node: the logic behind tasks.py and noxfile.py.

tasks.py and noxfile.py only parse options and call into this package, so that every behaviour here
(host setup, the ESP-IDF wrappers, the size report, the lint and layering checks, the simulator
launcher) can be unit-tested under tools/tests without running a shell or a broker.

Errors meant for the user are raised as `ToolError` with one clear message and an exit code; the entry
points turn them into a non-zero exit without a traceback.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["REPO_ROOT", "ToolError"]

# tools/irrigation_tools/__init__.py -> the repository root, wherever the checkout lives.
REPO_ROOT = Path(__file__).resolve().parents[2]


class ToolError(Exception):
    """A failure the user can act on: `message` says what happened and what to do; no traceback."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message
