"""Run the kernel benchmark suite: ``python -m benchmarks [--quick] [--max-size N] [--out DIR]``."""

import argparse
import json
import logging
import os
import time
from pathlib import Path

from benchmarks import environment, report
from benchmarks.cases import KERNELS
from benchmarks.small_calls import measure_small_calls
from benchmarks.suite import measure_size, sizes_up_to

FULL_MAX_SIZE = 10_000_000
QUICK_MAX_SIZE = 1_000_000
# 21 yearly dates: a 20-year projection, as bulk what-if runs use. The full
# run's output is then 10^7 x 21 x 8 B = 1.7 GB.
DEFAULT_DATES = 21


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"stop at {QUICK_MAX_SIZE:,} policies")
    parser.add_argument("--max-size", type=int, help="largest portfolio in policies (default: 10^7, quick: 10^6)")
    parser.add_argument("--dates", type=int, default=DEFAULT_DATES, help="projection dates per policy")
    parser.add_argument("--seed", type=int, default=2025, help="seed of the generated portfolios")
    parser.add_argument("--out", type=Path, default=Path("benchmark-results"), help="directory for results.json and plots")
    parser.add_argument("--skip-compile", action="store_true", help="do not time compilation in subprocesses")
    arguments = parser.parse_args(argv)
    if arguments.max_size is None:
        arguments.max_size = QUICK_MAX_SIZE if arguments.quick else FULL_MAX_SIZE
    if arguments.max_size < 10:
        parser.error(f"--max-size must be at least 10, got {arguments.max_size}")
    return arguments


def main(argv=None) -> None:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    arguments.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_at_start = list(os.getloadavg())

    compile_times = {} if arguments.skip_compile else environment.compile_times()
    measurements = []
    write_limits = []
    for size in sizes_up_to(arguments.max_size):
        print(f"measuring {size:,} policies ...", flush=True)
        size_measurements, limits = measure_size(size, arguments.dates, arguments.seed)
        measurements.extend(size_measurements)
        write_limits.append({"n_policies": size, **limits})
    small_calls = measure_small_calls(KERNELS, arguments.dates)

    results = {
        "settings": {
            "quick": arguments.quick,
            "max_size": arguments.max_size,
            "n_dates": arguments.dates,
            "seed": arguments.seed,
            "numba_output": "the Numba projection writes into a preallocated, already touched out array",
        },
        "environment": {**environment.describe(), "load_average_at_start": load_at_start},
        "compile_times": compile_times,
        "write_limits": write_limits,
        "measurements": measurements,
        "small_calls": small_calls,
        "summary": report.summarise(measurements, small_calls),
        "elapsed_s": time.perf_counter() - started,
    }
    (arguments.out / "results.json").write_text(json.dumps(results, indent=1))
    plots = report.plot(measurements, arguments.out)

    print(report.table(measurements))
    print()
    print(report.small_call_table(small_calls))
    print()
    print(json.dumps({"environment": results["environment"], "compile_times": compile_times}, indent=1))
    print(json.dumps(results["summary"], indent=1))
    print(f"wrote {arguments.out / 'results.json'} and {', '.join(plots)} in {results['elapsed_s']:.0f} s")


if __name__ == "__main__":
    main()
