"""The report's charts, drawn for print: volume and sentiment over the period with the
period's events marked (numbered as in the list below the chart), and share of voice
against each competitor. matplotlib with the Agg backend on Figures of their own (no pyplot,
no global state); PNG at print resolution."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from core.trends.chart import MAX_TICKS, NEGATIVE, POSITIVE, VOLUME, ChartText

DPI = 200
EVENT = (0.45, 0.45, 0.45)
THEIRS = (0.70, 0.70, 0.70)


@dataclass(frozen=True)
class Mark:
    """An event on the timeline: its number, and where it begins and ends in steps."""

    number: int
    start: float
    end: float


def _figure(width: float, height: float):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI)


def _png(fig) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def timeline(
    labels: Sequence[str],
    volume: Sequence[int],
    negative: Sequence[int],
    positive: Sequence[int],
    marks: Sequence[Mark],
    words: ChartText,
) -> bytes:
    """Volume as a filled step area, negative and positive as step lines; each event a
    shaded band with its number above it."""
    from matplotlib.ticker import MaxNLocator

    fig = _figure(7.2, 2.9)
    ax = fig.add_axes((0.07, 0.11, 0.91, 0.80))
    edges = list(range(len(volume) + 1))
    top = max([*volume, 1]) * 1.18
    level = 0
    for i, mark in enumerate(marks):
        ax.axvspan(mark.start, max(mark.end, mark.start + 0.4), color=EVENT, alpha=0.13, lw=0)
        # Numbers of events that begin close together are staggered, so none hides another.
        near = i > 0 and mark.start - marks[i - 1].start < len(volume) / 40
        level = 1 - level if near else 0
        ax.text(
            mark.start + 0.1,
            top * (0.985 - 0.08 * level),
            str(mark.number),
            fontsize=7,
            color=(0.25, 0.25, 0.25),
            ha="left",
            va="top",
            fontweight="bold",
        )
    ax.stairs(volume, edges, fill=True, color=VOLUME, alpha=0.35, label=words.volume)
    ax.stairs(negative, edges, color=NEGATIVE, linewidth=1.3, label=words.negative)
    ax.stairs(positive, edges, color=POSITIVE, linewidth=1.3, label=words.positive)
    step = max(1, -(-len(labels) // (MAX_TICKS + 2)))
    ticks = list(range(0, len(labels), step))
    ax.set_xticks(ticks, [labels[i] for i in ticks], fontsize=7)
    ax.set_xlim(0, max(len(volume), 1))
    ax.set_ylim(bottom=0, top=top)
    ax.yaxis.set_major_locator(MaxNLocator(4, integer=True))
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(loc="upper right", fontsize=7, frameon=False, ncols=3, bbox_to_anchor=(1, 1.12))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)


def voice_bars(rows: Sequence[tuple[str, float, str]], axis_label: str) -> bytes:
    """One bar per competitor: our share of (ours + theirs) in colour, theirs in grey, each
    with its caption (the share and both counts, formatted by the caller)."""
    fig = _figure(7.2, 0.6 + 0.42 * max(len(rows), 1))
    ax = fig.add_axes((0.2, 0.25, 0.76, 0.7))
    y = list(range(len(rows)))
    ax.barh(y, [1.0] * len(rows), color=THEIRS, height=0.6)
    ax.barh(y, [share for _, share, _ in rows], color=VOLUME, height=0.6)
    for i, (_, _, caption) in enumerate(rows):
        ax.text(0.01, i, caption, va="center", fontsize=7)
    ax.set_yticks(y, [name for name, _, _ in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25", "50", "75", "100"], fontsize=7)
    ax.set_xlabel(axis_label, fontsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)
