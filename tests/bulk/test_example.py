"""The Python example in docs/bulk.md runs as written."""

import re
import subprocess
import sys
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]


def _example_code() -> str:
    text = (ROOT / "docs" / "bulk.md").read_text(encoding="utf-8")
    section = text.split("## Python example", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def test_docs_example_runs(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-c", _example_code()],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "(3, 3, 21)" in completed.stdout
    assert "(2, 21)" in completed.stdout
    assert pq.read_table(tmp_path / "whatif.parquet").num_rows == 3 * 3 * 21
    assert pa_csv.read_csv(tmp_path / "summary.csv").num_rows == 3 * 21
    assert (tmp_path / "fan.png").read_bytes().startswith(b"\x89PNG")
