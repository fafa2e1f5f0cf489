"""Which topics tell one story: close centroids, a marking hashtag, or one burst and mood."""

from __future__ import annotations

import datetime as dt

import numpy as np

from core.stories.links import (
    Burst,
    StoryPoint,
    best_story,
    marking_tags,
    merges,
    peak,
)
from core.stories.topics import normalise

T0 = dt.datetime(2026, 12, 1, 0, 0)


def _vec(*values: float) -> np.ndarray:
    return normalise(np.array([values], dtype=np.float32))[0]


def _story(root: int, vec: np.ndarray, size: float, tags: set[str] | None = None) -> StoryPoint:
    return StoryPoint(root, vec * size, size, set(tags or ()))


def test_a_topic_joins_the_closest_story_or_the_one_its_hashtag_marks() -> None:
    delivery = _story(1, _vec(1, 0, 0), 10)
    latte = _story(2, _vec(0, 1, 0), 10, {"#lumoralatteart"})
    assert best_story(_vec(0.9, 0.2, 0), (), [delivery, latte]) is delivery
    # Far from both in meaning, but marked by the latte-art tag: the latte-art story.
    assert best_story(_vec(0, 0, 1), {"#lumoralatteart"}, [delivery, latte]) is latte
    assert best_story(_vec(0, 0, 1), (), [delivery, latte]) is None


def test_a_generic_tag_on_a_few_posts_marks_nothing() -> None:
    assert marking_tags([("#lumoralatteart",)] * 3) == {"#lumoralatteart"}
    # Three of four is not every post of a small group; two posts are too few to tell.
    assert marking_tags([("#kaffeeliebe",)] * 3 + [()]) == set()
    assert marking_tags([("#x",)] * 2) == set()
    assert marking_tags([("#lumora", "#a")] * 7 + [("#lumora",)] * 3) == {"#lumora"}


def test_stories_grown_into_one_merge_into_the_larger_without_chains() -> None:
    big = _story(3, _vec(1, 0.1, 0), 40)
    close = _story(5, _vec(1, 0.15, 0), 4)
    closer_still = _story(7, _vec(1, 0.12, 0), 2)
    apart = _story(9, _vec(0, 0, 1), 30)
    pairs = merges([close, big, apart, closer_still])
    # The larger story is kept and may absorb several, each on its own likeness to it.
    assert pairs == [(5, 3), (7, 3)]
    # An absorbed story absorbs nothing in the same call: no chains.
    bridge = _story(13, _vec(1, 0.9, 0), 5)  # alike to the big one and to the far one
    far = _story(15, _vec(0.2, 1, 0), 3)
    assert (15, 13) not in merges([big, bridge, far])
    assert merges(
        [apart, _story(11, _vec(0, 0.2, 1), 3, {"#t"}), _story(12, _vec(1, 0, 0), 3, {"#t"})]
    )


def test_stories_that_burst_together_in_one_mood_are_one_event() -> None:
    login = _story(1, _vec(1, 0.3, 0), 10)
    card = _story(2, _vec(0, 1, 0.5), 8)
    sim = float(login.direction() @ card.direction())
    assert 0.2 < sim < 0.4  # related, not alike enough on their own
    assert merges([login, card]) == []
    same_hour = {1: Burst(T0, neg=0.9), 2: Burst(T0 + dt.timedelta(hours=5), neg=1.0)}
    assert merges([login, card], peaks=same_hour) == [(2, 1)]
    # A day apart, or one of them glad, is not one event.
    apart = {1: Burst(T0, neg=0.9), 2: Burst(T0 + dt.timedelta(hours=30), neg=1.0)}
    assert merges([login, card], peaks=apart) == []
    moods = {1: Burst(T0, neg=0.9), 2: Burst(T0, pos=0.9)}
    assert merges([login, card], peaks=moods) == []


def test_a_burst_is_a_day_holding_most_of_a_story() -> None:
    steady = {T0 + dt.timedelta(hours=h): 1 for h in range(0, 24 * 10, 6)}
    assert peak(steady) is None
    spike = dict(steady)
    for h in range(24 * 4, 24 * 4 + 10):
        spike[T0 + dt.timedelta(hours=h)] = 9
    centre = peak(spike)
    start = T0 + dt.timedelta(days=4)  # the spike: ten busy hours from here
    assert centre is not None and abs(centre - (start + dt.timedelta(hours=5))) <= dt.timedelta(
        hours=12
    )
    assert peak({T0: 3}) is None  # too few to call a burst
    # A story told every day bursts when one day holds several times its mean day.
    daily = {T0 + dt.timedelta(hours=h): 2 for h in range(0, 24 * 15, 2)}  # 24 a day
    assert peak(daily) is None
    for h in range(24 * 9, 24 * 10, 2):
        daily[T0 + dt.timedelta(hours=h)] = 9  # 108 that day
    centre = peak(daily)
    assert centre is not None and centre.date() in (dt.date(2026, 12, 10), dt.date(2026, 12, 9))


def test_a_small_burst_joins_a_full_one_that_is_alike_and_of_one_mood() -> None:
    """The outage of the nimbus scenario: four posts "Is the app down for everyone? Login
    fails" (too few to burst alone) belong to the 80 posts about declined cards."""
    outage = _story(1, _vec(1, 0.3, 0), 80)
    wording = _story(11, _vec(1, 0, 1.6), 4)
    sim = float(outage.direction() @ wording.direction())
    assert 0.4 < sim < 0.6  # alike, not enough to merge on likeness alone
    assert merges([outage, wording]) == []
    small = {1: Burst(T0, neg=0.96), 11: Burst(T0 - dt.timedelta(hours=7), neg=1.0, small=True)}
    assert merges([outage, wording], peaks=small) == [(11, 1)]
    # Two small bursts, or a small one of the other mood, stay apart.
    both_small = {1: Burst(T0, neg=0.96, small=True), 11: small[11]}
    assert merges([outage, wording], peaks=both_small) == []
    glad = {1: Burst(T0, pos=0.9), 11: small[11]}
    assert merges([outage, wording], peaks=glad) == []


def test_a_burst_peaks_where_its_posts_are() -> None:
    """Four posts one morning peak that morning, not in the middle of the first busiest
    window (which began the evening before)."""
    morning = T0.replace(hour=6)
    hours = {morning + dt.timedelta(hours=h): 1 for h in (0, 2, 3, 4)}
    hours[morning - dt.timedelta(days=9)] = 1
    hours[morning + dt.timedelta(days=3)] = 1
    at = peak(hours, minimum=3)
    assert at is not None and abs(at - (morning + dt.timedelta(hours=2))) <= dt.timedelta(hours=1)
    assert peak(hours) is None  # too few to burst as a full story
