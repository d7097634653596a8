"""The kernel benchmark suite runs end to end on small sizes."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_suite_writes_results(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--max-size", "1000", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr

    results = json.loads((tmp_path / "results.json").read_text())
    summary = results["summary"]
    assert summary["largest_n_policies"] == 1000
    assert summary["projection_fraction_of_write_limit"] > 0.0
    assert summary["projection_speedup_over_numpy"] > 0.0
    assert set(summary["small_call_overhead_us"]) == {"indexation", "retirement_benefit", "projection"}
    assert results["compile_times"]["cold"]["projection_parallel_s"] > 0.0
    assert results["compile_times"]["cached"]["projection_parallel_s"] > 0.0

    implementations = {(m["kernel"], m["implementation"]) for m in results["measurements"]}
    assert ("projection", "python") in implementations
    assert ("indexation", "numba_parallel") in implementations
    for kernel in ("indexation", "retirement_benefit", "projection"):
        assert (tmp_path / f"throughput_{kernel}.png").stat().st_size > 0
