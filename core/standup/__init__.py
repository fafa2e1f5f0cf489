"""The daily standup: what changed since the last one, and when each channel gets it.

`report.build` gathers the figures (volume and sentiment against the usual, new trends or
alerts, drafts waiting, backlog movement, focus hints); `schedule` is the calendar math
(croniter) that the scheduler in bot/standup_jobs.py runs with an injected clock.
"""
