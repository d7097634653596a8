"""The suite's outputs: printed table, summary figures and plots."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from benchmarks.cases import IMPLEMENTATIONS, KERNELS  # noqa: E402


def summarise(measurements: list[dict], small_calls: list[dict]) -> dict:
    """Return the headline figures, taken at the largest projection size run."""
    projection = [m for m in measurements if m["kernel"] == "projection"]
    largest = max(m["n_policies"] for m in projection)
    at_largest = {m["implementation"]: m for m in projection if m["n_policies"] == largest}
    parallel = at_largest["numba_parallel"]
    overhead = {}
    for call in small_calls:
        overhead.setdefault(call["kernel"], {})[str(call["n_policies"])] = round(call["with_arrays_us"], 2)
    return {
        "largest_n_policies": largest,
        "n_dates": parallel["n_dates"],
        "projection_fraction_of_write_limit": parallel["fraction_of_write_limit"],
        "projection_policy_dates_per_s": parallel["policy_dates_per_s"],
        "projection_speedup_over_numpy": at_largest["numpy"]["median_s"] / parallel["median_s"],
        "projection_speedup_over_serial": at_largest["numba_serial"]["median_s"] / parallel["median_s"],
        "small_call_overhead_us": overhead,
    }


def table(measurements: list[dict]) -> str:
    """Format the measurements as a fixed-width table, one row per kernel, size and implementation."""
    header = (
        f"{'kernel':<19}{'implementation':<15}{'policies':>10}{'median ms':>12}{'IQR %':>7}"
        f"{'M pol-dates/s':>15}{'GB/s':>8}{'of limit':>9}"
    )
    lines = [header, "-" * len(header)]
    for m in measurements:
        spread = 100.0 * (m["q3_s"] - m["q1_s"]) / m["median_s"]
        lines.append(
            f"{m['kernel']:<19}{m['implementation']:<15}{m['n_policies']:>10}{m['median_s'] * 1e3:>12.4f}"
            f"{spread:>7.1f}{m['policy_dates_per_s'] / 1e6:>15.1f}{m['output_bytes_per_s'] / 1e9:>8.2f}"
            f"{m['fraction_of_write_limit']:>9.3f}"
        )
    return "\n".join(lines)


def small_call_table(small_calls: list[dict]) -> str:
    """Format the per-call costs on one small dossier."""
    lines = [f"{'kernel':<19}{'policies':>9}{'from values us':>16}{'arrays ready us':>17}"]
    for call in small_calls:
        lines.append(
            f"{call['kernel']:<19}{call['n_policies']:>9}{call['with_arrays_us']:>16.2f}{call['kernel_only_us']:>17.2f}"
        )
    return "\n".join(lines)


def plot(measurements: list[dict], directory) -> list[str]:
    """Draw one log-log throughput plot per kernel into ``directory``; return the file names."""
    names = []
    for kernel in KERNELS:
        rows = [m for m in measurements if m["kernel"] == kernel]
        if not rows:
            continue
        figure, axes = plt.subplots(figsize=(7, 4.5))
        limit = sorted({(m["n_policies"], m["write_limit_bytes_per_s"]) for m in rows})
        axes.plot([n for n, _ in limit], [rate / 1e9 for _, rate in limit], "k--", label="memory-write limit")
        for implementation in IMPLEMENTATIONS:
            points = [(m["n_policies"], m["output_bytes_per_s"] / 1e9) for m in rows if m["implementation"] == implementation]
            if points:
                axes.plot(*zip(*points), marker="o", label=implementation.replace("_", " "))
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("policies")
        axes.set_ylabel("output written (GB/s)")
        dates = rows[0]["n_dates"]
        axes.set_title(f"{kernel.replace('_', ' ')}" + (f", {dates} dates" if kernel == "projection" else ""))
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize="small")
        figure.tight_layout()
        name = f"throughput_{kernel}.png"
        figure.savefig(directory / name, dpi=110)
        plt.close(figure)
        names.append(name)
    return names
