"""Measure a bulk what-if end to end: sample portfolio, then whatif to Parquet.

Usage::

    .venv/bin/python -m benchmarks.bulk_whatif [--dossiers 1000000] [--dir /tmp/bulk-bench] [--dask local]

Runs ``pension-engine sample-portfolio``, then a what-if of three scenarios
(0, 0.02, 0.03) from 2026-12-31 to 2046-12-31 every 12 months (21 dates),
each in its own process. Prints wall time, the read / compute / write split,
policy-dates per second and each process's peak RSS. Nothing is asserted.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

SCENARIOS = ("0", "0.02", "0.03")
START, END, EVERY = "2026-12-31", "2046-12-31", 12


def _child(portfolio: str, out: str, dask: str | None) -> None:
    """Run the what-if in this process and print its figures as JSON."""
    from api.bulk import Scenario, project_dates, run_whatif

    started = time.perf_counter()
    scenarios = [Scenario.indexation(float(text), text) for text in SCENARIOS]
    run = run_whatif(portfolio, scenarios, project_dates(START, END, EVERY), out=out, dask=dask)
    wall = time.perf_counter() - started
    figures = {
        "wall_seconds": wall,
        "run_seconds": run.total_seconds,
        "scan_seconds": run.scan_seconds,
        "read_seconds": run.read_seconds,
        "compute_seconds": run.compute_seconds,
        "write_seconds": run.write_seconds,
        "dossiers": run.dossiers,
        "policies": run.policies,
        "policy_dates": run.policy_dates,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--dir", default="/tmp/bulk-bench", help="folder for the portfolio and the result")
    parser.add_argument("--dask", help="local or a scheduler address; default: this process")
    parser.add_argument("--child", nargs=2, metavar=("PORTFOLIO", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], args.dask)
        return

    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    portfolio = folder / "portfolio.parquet"
    out = folder / "whatif.parquet"

    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "api.cli", "sample-portfolio", "--dossiers", str(args.dossiers), "--seed", "1", "--out", str(portfolio)],
        check=True,
    )
    sample_seconds = time.perf_counter() - started
    sample_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    command = [sys.executable, "-m", "benchmarks.bulk_whatif", "--child", str(portfolio), str(out)]
    if args.dask:
        command += ["--dask", args.dask]
    started = time.perf_counter()
    child = subprocess.run(command, check=True, capture_output=True, text=True)
    process_seconds = time.perf_counter() - started
    figures = json.loads(child.stdout.strip().splitlines()[-1])

    print(f"sample-portfolio --dossiers {args.dossiers}: {sample_seconds:.1f} s, peak RSS {sample_rss:.0f} MiB, "
          f"{portfolio.stat().st_size / 2**20:.0f} MiB on disk")
    print(f"whatif: {figures['dossiers']} dossiers, {figures['policies']} policies x 21 dates x 3 scenarios "
          f"= {figures['policy_dates']:,} policy-dates")
    print(f"  process wall {process_seconds:.1f} s (run {figures['wall_seconds']:.1f} s, incl. imports and Numba load)")
    print(f"  run_whatif {figures['run_seconds']:.1f} s: scan (validation pass) {figures['scan_seconds']:.1f} s, "
          f"read {figures['read_seconds']:.1f} s, compute {figures['compute_seconds']:.1f} s, "
          f"write {figures['write_seconds']:.1f} s (on its own thread, overlapping compute)")
    print(f"  {figures['policy_dates'] / figures['wall_seconds']:,.0f} policy-dates/s end to end, "
          f"{figures['policy_dates'] / figures['compute_seconds']:,.0f} policy-dates/s in compute")
    print(f"  peak RSS {figures['peak_rss_mib']:.0f} MiB, result {out.stat().st_size / 2**20:.0f} MiB on disk")


if __name__ == "__main__":
    main()
