"""The bulk example in the README runs as written: its shell commands, then its Python code."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
ENV = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}


def _readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Bulk what-if projections", 1)[1].split("\n## ", 1)[0]


def _shell_commands(section: str) -> list[list[str]]:
    """Return the README's shell commands as argument lists, joining continued lines."""
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    commands = []
    for line in block.replace("\\\n", " ").splitlines():
        arguments = shlex.split(line)
        assert arguments[0] == ".venv/bin/pension-engine", line
        commands.append([sys.executable, "-m", "api.cli", *arguments[1:]])
    return commands


def test_readme_bulk_example_runs(tmp_path):
    section = _readme_section()
    for command in _shell_commands(section):
        completed = subprocess.run(command, cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120)
        assert completed.returncode == 0, completed.stderr

    for name in ("portfolio.parquet", "whatif.parquet", "summary.csv", "fan.png"):
        assert (tmp_path / name).exists(), name

    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    assert "eligible_share" in completed.stdout
    assert pq.read_table(tmp_path / "whatif.parquet").column("scenario").unique().to_pylist() == ["0.0", "0.02"]
