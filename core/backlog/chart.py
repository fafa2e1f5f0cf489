"""The burndown as a PNG (matplotlib, Agg backend) and as a text sparkline for the console."""

from __future__ import annotations

import io
from collections.abc import Sequence

from core.backlog.planning import BurnPoint


def burndown_png(
    points: Sequence[BurnPoint],
    *,
    labels: Sequence[str],
    title: str,
    ideal: str,
    actual: str,
    y_label: str,
) -> bytes:
    """The ideal line and the remaining points per day, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    # A Figure of its own (not pyplot): no global state, safe in a server process.
    fig = Figure(figsize=(6.4, 3.2), dpi=100)
    ax = fig.add_subplot()
    xs = list(range(len(points)))
    ax.plot(xs, [p.ideal for p in points], linestyle="--", color="#999999", label=ideal)
    done = [(x, p.remaining) for x, p in zip(xs, points, strict=True) if p.remaining is not None]
    if done:
        ax.plot(
            [x for x, _ in done], [r for _, r in done], marker="o", color="#d9480f", label=actual
        )
    ax.set_title(title)
    ax.set_ylabel(y_label)
    step = max(1, len(xs) // 8)
    ax.set_xticks(xs[::step], [labels[i] for i in xs[::step]], fontsize=8)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
