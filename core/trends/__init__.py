"""Trend briefs and assessments from the hourly counts and the mentions behind them.

`period` fixes the window, `brief` gathers the figures of a brief (`movers`, `voice`,
`coverage` compute parts of them), `summary` writes them as text (with or without a model,
never inventing a figure), `chart` draws them, `assess` answers the four questions before
a team engages, `emerging` runs the detector over what moves right now, and `topics` groups
mentions by meaning.
"""
