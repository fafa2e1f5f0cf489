"""Sprint arithmetic: what fits the capacity, the burndown line, the default capacity."""

from __future__ import annotations

import datetime as dt

from core.backlog.planning import burndown, default_capacity, plan, remaining_at
from core.models_backlog import BacklogItem, Sprint, SprintItem

T0 = dt.datetime(2026, 11, 2, 9, 0)


def _item(i: int, score: int, points: int, state: str = "todo") -> BacklogItem:
    return BacklogItem(
        id=i,
        kind="manual",
        fingerprint=f"f{i}",
        title=f"item {i}",
        score=score,
        points=points,
        state=state,
    )


def test_plan_takes_started_work_then_the_best_scores_that_fit() -> None:
    items = [
        _item(1, 500, 8),
        _item(2, 400, 5),
        _item(3, 300, 3),
        _item(4, 100, 2, state="in_progress"),
        _item(5, 200, 1),
        _item(6, 900, 1, state="blocked"),
    ]
    chosen = plan(items, capacity=12)
    assert [i.id for i, _ in chosen.picks] == [4, 1, 5]  # 2 + 8 + 1; 5 and 3 points do not fit
    assert chosen.points == 11
    assert [i.id for i in chosen.left_out] == [2, 3]


def test_plan_uses_the_format_points_when_an_item_has_none() -> None:
    item = _item(1, 100, 0)
    item.points, item.format = None, "blog_article"
    assert plan([item], capacity=5).picks == [(item, 5)]
    assert plan([item], capacity=4).picks == []


def test_default_capacity_is_the_recent_mean_velocity() -> None:
    assert default_capacity([]) == 13
    assert default_capacity([10, 14, 12, 100]) == 12
    assert default_capacity([0, 0]) == 13


def test_burndown_follows_done_and_dropped_items() -> None:
    sprint = Sprint(
        id=1,
        capacity=10,
        days=4,
        started_at=T0,
        ends_at=T0 + dt.timedelta(days=4),
        committed_points=10,
    )
    rows = [
        (
            SprintItem(
                sprint_id=1, item_id=1, points=5, added_at=T0, done_at=T0 + dt.timedelta(hours=30)
            ),
            _item(1, 1, 5),
        ),
        (
            SprintItem(
                sprint_id=1,
                item_id=2,
                points=3,
                added_at=T0,
                removed_at=T0 + dt.timedelta(hours=50),
            ),
            _item(2, 1, 3),
        ),
        (SprintItem(sprint_id=1, item_id=3, points=2, added_at=T0), _item(3, 1, 2)),
    ]
    now = T0 + dt.timedelta(days=2, hours=6)
    points = burndown(sprint, rows, now)
    assert [p.ideal for p in points] == [10, 7.5, 5, 2.5, 0]
    # start 10; day 1 ends 10 (done after 30 h); day 2 ends 5; day 3 (today so far) 2; day 4 future
    assert [p.remaining for p in points] == [10, 10, 5, 2, None]
    assert remaining_at(rows, now) == 2


async def test_a_quiet_story_fades_an_item_without_counts_is_late_instead(db_url: str) -> None:
    """Risks at half-time: an item made from a story that went quiet is fading; one with
    nothing to count (added by hand) is not started; a blocked one is blocked."""
    import json

    from core.backlog.planning import risks
    from core.db import session_scope
    from core.storage import counts
    from tests.core.backlog.helpers import make_services

    services = await make_services(db_url)
    start = T0
    now = T0 + dt.timedelta(days=4)
    sprint = Sprint(id=1, started_at=start, ends_at=start + dt.timedelta(days=7), capacity=10)
    story = _item(1, 500, 2)
    story.topic_key = "topic:7"
    story.evidence = json.dumps({"counts": {"mentions": 70}, "window_days": 7})
    manual = _item(2, 400, 2)
    blocked = _item(3, 300, 2, state="blocked")
    async with session_scope(services.sessions) as session:
        # The story was told ten times a day when suggested; once in the last three days.
        cell = {"n": 1, "neg": 0, "neu": 1, "pos": 0, "reach": 0}
        await counts.add_counts(
            session=session, increments={(now - dt.timedelta(days=2), "topic:7"): cell}
        )
    async with services.sessions() as session:
        rows = [
            (SprintItem(sprint_id=1, item_id=i.id or 0, points=2, added_at=start), i)
            for i in (story, manual, blocked)
        ]
        found = {r.item.id: r.reason for r in await risks(session, sprint, rows, now)}
    assert found == {1: "fading", 2: "not_started", 3: "blocked"}
    from bot.services import close_services

    await close_services(services)
