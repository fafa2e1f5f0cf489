"""The content backlog: suggestion rules over the listening data, ICE scoring, sprints.

`suggest` turns counts and mentions into backlog items (rules/), `ice` scores them,
`enrich` lets a model reword them (never the figures), `states` and `planning` run the
sprint cycle, `chart` draws the burndown.
"""
