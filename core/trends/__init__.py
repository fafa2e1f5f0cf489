"""Trend briefs from the hourly counts and the mentions behind them.

`period` fixes the window, `brief` gathers the figures of a brief (`movers`, `voice`,
`coverage` compute parts of them), `summary` writes them as text (with or without a model,
never inventing a figure), `chart` draws them, and `emerging` runs the detector
(core.analysis.bursts) over what moves right now. `assess` is core.assess; topics and
stories are core.stories.
"""
