"""The brief's chart: volume and sentiment over the period, as a PNG and as text sparklines.

matplotlib with the Agg backend on a Figure of its own (no pyplot, no global state), drawn
with few artists — one axes, stair lines, fixed ticks — because tick and layout work is
most of what a small chart costs.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from core.format import sparkline

# RGB tuples, not "#rrggbb": matplotlib parses colour strings on every use, which costs
# more than drawing this chart's lines.
VOLUME = (0.298, 0.431, 0.961)
NEGATIVE = (0.878, 0.192, 0.192)
POSITIVE = (0.184, 0.620, 0.267)
MAX_TICKS = 5


@dataclass(frozen=True)
class ChartText:
    """The chart's words, in the chat's language."""

    title: str
    volume: str
    negative: str
    positive: str


def text_chart(
    volume: Sequence[int], negative: Sequence[int], positive: Sequence[int], words: ChartText
) -> str:
    """Three sparklines on one scale each, for the console and as the image's text."""
    width = max(len(words.volume), len(words.negative), len(words.positive))
    return "\n".join(
        f"{label.ljust(width)}  {sparkline(values)}"
        for label, values in (
            (words.volume, volume),
            (words.negative, negative),
            (words.positive, positive),
        )
    )


def png_chart(
    labels: Sequence[str],
    volume: Sequence[int],
    negative: Sequence[int],
    positive: Sequence[int],
    words: ChartText,
) -> bytes:
    """Volume as a filled step area, negative and positive mentions as step lines."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(6.4, 2.6), dpi=100)
    ax = fig.add_axes((0.07, 0.12, 0.91, 0.84))
    edges = list(range(len(volume) + 1))
    ax.stairs(volume, edges, fill=True, color=VOLUME, alpha=0.35, label=words.volume)
    ax.stairs(negative, edges, color=NEGATIVE, linewidth=1.4, label=words.negative)
    ax.stairs(positive, edges, color=POSITIVE, linewidth=1.4, label=words.positive)
    step = max(1, -(-len(labels) // MAX_TICKS))
    ticks = list(range(0, len(labels), step))
    ax.set_xticks(ticks, [labels[i] for i in ticks], fontsize=7)
    ax.set_xlim(0, max(len(volume), 1))
    ax.set_ylim(bottom=0, top=max([*volume, 1]) * 1.1)
    ax.yaxis.set_major_locator(MaxNLocator(3, integer=True))
    ax.tick_params(axis="y", labelsize=7)
    # The title travels as the image's title (Slack and Teams show it); not drawn here.
    ax.legend(loc="upper left", fontsize=7, frameon=False, ncols=3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    out = io.BytesIO()
    # Light compression: the PNG is a few KB larger and encodes several times faster.
    fig.savefig(out, format="png", pil_kwargs={"compress_level": 1})
    return out.getvalue()
