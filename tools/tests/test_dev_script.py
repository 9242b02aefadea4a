"""./dev: the day-one bootstrap script is a strict, executable bash script that ends in invoke."""

import os
import subprocess
from pathlib import Path

DEV = Path(__file__).resolve().parents[2] / "dev"


def test_dev_is_an_executable_strict_bash_script():
    text = DEV.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert os.access(DEV, os.X_OK)
    assert subprocess.run(["bash", "-n", str(DEV)], capture_output=True).returncode == 0


def test_dev_is_non_interactive_and_ends_by_running_invoke():
    text = DEV.read_text()
    assert "export DEBIAN_FRONTEND=noninteractive" in text
    assert "apt-get install -y" in text
    assert text.rstrip().splitlines()[-1] == 'exec "$VENV/bin/invoke" --search-root "$ROOT" "$@"'


def test_dev_reinstalls_requirements_only_when_they_change():
    text = DEV.read_text()
    assert "requirements.txt" in text and "sha256sum" in text and '"$STAMP"' in text
