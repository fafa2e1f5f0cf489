"""The brief's summary restates the computed figures only: the template always, a model
only when every number it writes is one of the figures."""

from __future__ import annotations

import datetime as dt

import pytest

from core.i18n import Translator
from core.trends.brief import BriefFigures, Mix
from core.trends.coverage import Coverage
from core.trends.movers import Mover
from core.trends.names import Names
from core.trends.period import parse_period
from core.trends.summary import acceptable, figures_for_text, summarise, template_summary
from core.trends.voice import VoiceShare

NOW = dt.datetime(2026, 11, 20, 12, 40)


def figures(n: int = 312, prev_n: int = 251) -> BriefFigures:
    period = parse_period("24h", NOW)
    assert period is not None
    return BriefFigures(
        period=period,
        n=n,
        prev_n=prev_n,
        reach=12_000,
        mix=Mix(neg=62, neu=110, pos=140),
        prev_mix=Mix(neg=40, neu=100, pos=111),
        voice=VoiceShare(None, 200, 100, 150, 100),
        voices=[VoiceShare("kaffeeko", 200, 100, 150, 100)],
        rising={"term": [Mover("term:lumora brew", 48, 12, 6.2)], "tag": [], "topic": []},
        falling={"term": [], "tag": [], "topic": []},
        top=[],
        open=[],
        open_total=7,
        coverage=Coverage(measured=["webhook"], failed=[("hn", "HTTP 503")], uncovered=["X"]),
        points=[],
        names=Names(terms={"lumora brew": "Lumora Brew", "kaffeeko": "Kaffeeko"}),
    )


class FakeLLM:
    """A model that answers with a fixed text (or fails), and keeps what it was asked."""

    def __init__(self, answer: str | Exception) -> None:
        self.answer = answer
        self.asked: list[list[dict[str, str]]] = []

    async def complete(
        self,
        *,
        messages: list[dict[str, str]],
        n: int = 1,
        max_tokens: int = 600,
        temperature: float = 0.4,
    ) -> list[str]:
        self.asked.append(messages)
        if isinstance(self.answer, Exception):
            raise self.answer
        return [self.answer]


def test_the_template_uses_the_figures() -> None:
    text = template_summary(figures(), Translator("en"))
    assert text.startswith(
        "312 mentions in the last 24 hours, +24% against the 24 hours before (251)."
    )
    assert "Lumora Brew (48, before 12)" in text
    assert "7 questions and complaints" in text
    german = template_summary(figures(), Translator("de"))
    assert german.startswith("312 Erwähnungen in den letzten 24 Stunden, +24\u202f%")
    assert template_summary(figures(n=0, prev_n=0), Translator("en")) == (
        "No mentions in the last 24 hours."
    )


async def test_a_model_summary_that_restates_the_figures_is_taken() -> None:
    llm = FakeLLM("312 mentions in 24 hours, +24% on the day before; Lumora Brew rose to 48.")
    text, by_model = await summarise(figures(), Translator("en"), llm)
    assert by_model and text.startswith("312 mentions")
    sent = llm.asked[0][1]["content"]
    assert "312" in sent and "Lumora Brew" in sent and "Kaffeeko" in sent


@pytest.mark.parametrize(
    "answer",
    [
        "312 mentions, 40% more than last week.",  # 40 is no figure
        "Volume is up 24% — see https://example.org for details.",  # a link
        "A" * 900,  # too long
        "",
        RuntimeError("model down"),
        TimeoutError(),
    ],
)
async def test_anything_else_falls_back_to_the_template(answer: str | Exception) -> None:
    text, by_model = await summarise(figures(), Translator("en"), FakeLLM(answer))
    assert not by_model
    assert text == template_summary(figures(), Translator("en"))


def test_numbers_are_read_in_the_locale() -> None:
    f = figures(n=1234, prev_n=1000)
    de = figures_for_text(f, Translator("de"))
    assert acceptable("1.234 Erwähnungen, +23 % gegenüber 1.000.", de, "de")
    assert acceptable("1.235 Erwähnungen.", de, "de") is None
    assert acceptable("12,34 Erwähnungen.", de, "de") is None
