"""Fan chart of dossier pensions per scenario over the projection dates."""

import os

import pyarrow as pa

from api.bulk.source import InputError


def fan_chart(summary: pa.Table, target: str | os.PathLike) -> None:
    """Draw each scenario's median dossier pension with its 10-90th percentile band and save it as PNG.

    ``summary`` has the columns of ``api.bulk.table.SUMMARY_SCHEMA``. Raises
    ``InputError`` when matplotlib cannot draw it.
    """
    try:
        _draw(summary, target)
    except (ValueError, OverflowError) as error:
        raise InputError(f"cannot draw the fan chart {str(target)!r}: {error}") from None


def _draw(summary: pa.Table, target: str | os.PathLike) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(9, 5), dpi=100)
    rows = summary.to_pylist()
    for label in dict.fromkeys(row["scenario"] for row in rows):
        own = [row for row in rows if row["scenario"] == label]
        dates = [row["date"] for row in own]
        (line,) = axes.plot(dates, [row["p50"] for row in own], label=f"indexation {label}: median")
        axes.fill_between(
            dates, [row["p10"] for row in own], [row["p90"] for row in own], color=line.get_color(), alpha=0.2,
            label=f"indexation {label}: 10th-90th percentile",
        )
    # No margin around the dates: matplotlib's default 5 % margin reaches past 9999-12-31, the last
    # date it can convert, for projection dates late in year 9999.
    axes.margins(x=0)
    axes.set_xlabel("projection date")
    axes.set_ylabel("projected annual pension per dossier")
    axes.set_title("Projected dossier pensions by indexation scenario")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize="small")
    try:
        figure.tight_layout()
        figure.savefig(target, format="png")
    finally:
        plt.close(figure)
