"""The synthetic demo stream: 30 days of invented mentions of the fictional brand Lumora.

`make run` seeds it so that a fresh install has something to listen to. Everything here is
made up — brand, products, competitors, people, posts and numbers — and every item says so
(`synthetic=True`, a notice in `extra`, URLs under the reserved `.invalid` domain).

The stream is deterministic: the same `seed` and `now` give the same items, because all
randomness comes from one `random.Random(seed)` and time only from `now`. It enters through
`Pipeline.ingest` like any real source, so the demo exercises the real path end to end.

Planted events, so that trends, alerts and briefs have something to find (times before `now`):

- a complaint spike about delivery, centred 5 days before `now`, about a day long at ~7×
  the normal rate of delivery complaints (`DELIVERY_SPIKE_*`);
- the hashtag `#lumoralatteart`, absent until 36 hours before `now`, then rising steadily
  to the end (`PLANTED_HASHTAG`, `HASHTAG_RISE`);
- recurring product questions (descaling, oily beans, grind size, …) throughout, with
  answers in their threads;
- Kaffeeko's volume falls to ~40 % in the last 7 days (`KAFFEEKO_DROP_*`).

Every dated phrase fits the moment its post is published: a month ahead is a month after
the post, "Classic Monday" is said on Mondays, "this morning" after the morning began, the
planted tag's "day two" on its second day (`_MONTHS`, `_TIMES`, `_ONLY_WHEN`).

Each item carries its ground truth in `extra` (`demo_topic`, `demo_sentiment`, `demo_kind`)
for tests and evaluations; the pipeline does not read it and analyses the text itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from core.clock import to_naive_utc
from core.raw import RawMention
from core.text import fold

if TYPE_CHECKING:
    from core.pipeline import IngestResult

log = logging.getLogger(__name__)

DEMO_NOTICE: dict[str, str] = {
    "de": "Synthetische Demodaten: für die Demo von Horchposten erfunden, keine echten Personen, "
    "Beiträge oder Marken.",
    "en": "Synthetic demo data: invented for the Horchposten demo, no real people, posts or "
    "brands.",
}

DEMO_SOURCES: list[tuple[str, str]] = [
    ("demo-mastodon", "mastodon"),
    ("demo-bluesky", "bluesky"),
    ("demo-reddit", "reddit"),
    ("demo-hn", "hackernews"),
    ("demo-news", "rss"),
    ("demo-forum", "rss"),
    ("demo-blog", "rss"),
]
_SOURCE_TYPE = dict(DEMO_SOURCES)
_SOCIAL = ("demo-mastodon", "demo-bluesky")
_RSS = ("demo-news", "demo-forum", "demo-blog")
URL_BASE = "https://demo.horchposten.invalid"

PLANTED_HASHTAG = "#lumoralatteart"
HASHTAG_RISE = dt.timedelta(hours=36)  # the planted tag exists only in the last 36 hours
DELIVERY_SPIKE_BEFORE = dt.timedelta(days=5)  # centre of the complaint spike, before `now`
DELIVERY_SPIKE_FACTOR = 7.0  # times the normal delivery-complaint rate on the plateau
_SPIKE_PLATEAU_H = 10.0  # half-width of the plateau in hours (20 h at full height) …
_SPIKE_RAMP_H = 4.0  # … plus 4 h ramps each side: about a day in all
KAFFEEKO_DROP_SINCE = dt.timedelta(days=7)
KAFFEEKO_DROP_FACTOR = 0.4
_DE_SHARE = 0.6
_ZONE = ZoneInfo("Europe/Berlin")  # the demo audience lives here; its day shapes the volume

# Relative volume per local hour (0–23): a morning-coffee peak and an evening peak on
# weekdays, a later and longer morning at weekends, quiet nights.
_WEEKDAY_HOURS = (
    0.25, 0.15, 0.10, 0.08, 0.10, 0.25, 0.60, 1.10, 1.40, 1.30, 1.15, 1.10,
    1.20, 1.10, 1.00, 1.00, 1.05, 1.15, 1.30, 1.45, 1.40, 1.15, 0.80, 0.45,
)  # fmt: skip
_WEEKEND_HOURS = (
    0.40, 0.30, 0.20, 0.12, 0.10, 0.12, 0.25, 0.50, 0.90, 1.30, 1.45, 1.40,
    1.30, 1.20, 1.10, 1.05, 1.05, 1.10, 1.20, 1.30, 1.30, 1.10, 0.85, 0.55,
)  # fmt: skip
_DAY_FACTOR = (1.05, 1.0, 1.0, 1.0, 0.95, 0.8, 0.85)  # Monday … Sunday

# Share of the ordinary volume per topic. "latteart" is the planted tag (added on top,
# see `_cell_weights`); "exclusion" items name "Lumora Beach Resort", which the workspace
# excludes, so the demo shows the exclusion filter at work.
_TOPIC_SHARE: dict[str, float] = {
    "brand": 0.13,
    "brew": 0.15,
    "mill": 0.10,
    "question": 0.10,
    "delivery": 0.035,
    "delivery_praise": 0.01,
    "kaffeeko": 0.09,
    "beanbox": 0.07,
    "compare": 0.05,
    "keyword": 0.16,
    "news": 0.04,
    "review": 0.03,
    "exclusion": 0.005,
}
_LATTE_PEAK = 1.0  # planted-tag volume at `now`, relative to the mean hourly volume
# Sentiment mix per topic (positive, neutral, negative).
_MIX: dict[str, tuple[float, float, float]] = {
    "brand": (0.45, 0.30, 0.25),
    "brew": (0.45, 0.30, 0.25),
    "mill": (0.45, 0.30, 0.25),
    "kaffeeko": (0.35, 0.35, 0.30),
    "beanbox": (0.35, 0.35, 0.30),
    "compare": (0.40, 0.35, 0.25),
    "keyword": (0.35, 0.45, 0.20),
    "review": (0.45, 0.20, 0.35),
}


def _lines(block: str) -> list[str]:
    return [line.strip() for line in block.strip().splitlines() if line.strip()]


# Slot vocabulary. A name listed twice is drawn twice as often.
_VOCAB: dict[str, dict[str, list[str]]] = {
    "de": {
        "drink": ["Espresso", "Cappuccino", "Flat White", "Lungo", "Cortado", "Latte Macchiato"],
        "city": ["Hamburg", "Leipzig", "Köln", "München", "Freiburg", "Bremen", "Dresden"],
        "feature_brew": ["Der Milchschäumer", "Die Brühgruppe", "Das Display", "Die Dampflanze",
                         "Die Pumpe", "Der Wassertank"],
        "bean": ["äthiopische Bohnen", "einen hellen Kenia", "eine dunkle Röstung",
                 "Bohnen aus Brasilien", "einen Guatemala von der Rösterei um die Ecke"],
        "dur": ["seit zwei Wochen", "seit zehn Tagen", "seit über einer Woche",
                "seit drei Wochen", "seit 12 Tagen"],
    },
    "en": {
        "drink": ["espresso", "cappuccino", "flat white", "lungo", "cortado", "latte"],
        "city": ["London", "Manchester", "Dublin", "Berlin", "Amsterdam", "Vienna"],
        "feature_brew": ["milk frother", "group head", "display", "steam wand", "pump",
                         "water tank"],
        "bean": ["an Ethiopian natural", "a light Kenyan", "a dark roast", "Brazilian beans",
                 "a Guatemalan from my local roaster"],
        "dur": ["two weeks", "ten days", "over a week", "three weeks", "12 days"],
    },
}  # fmt: skip
# Words of the calendar. Every dated phrase fits the moment its post is published (the demo
# is generated relative to `now`): a month ahead is a month after the post ("due in March"
# in December), a weekday a delivery was due is one of the days before it, "this morning"
# is said after the morning began, "Classic Monday" only on a Monday. Conditions by name,
# so that the templates can move to data files with them (see `_Writer.fits`).
_MONTHS = {
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
           "September", "Oktober", "November", "Dezember"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}  # fmt: skip
_WEEKDAYS = {
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
_MONTHS_AHEAD = (1, 5)  # {month}: from next month to five months on
_DAYS_BEFORE = (1, 5)  # {weekday}: a day from yesterday to five days before (no Sundays)
# {time}: (phrase, when it may be said)
_TIMES: dict[str, list[tuple[str, str]]] = {
    "de": [("heute Morgen", "daytime"), ("gestern Abend", "always"), ("heute früh", "daytime"),
           ("vorhin", "always"), ("am Sonntag", "not_sunday")],
    "en": [("this morning", "daytime"), ("last night", "always"), ("earlier today", "daytime"),
           ("on Sunday", "not_sunday"), ("just now", "always")],
}  # fmt: skip
# Templates that name their own moment, by a phrase they contain, and when they may be used.
_ONLY_WHEN: dict[str, str] = {
    "Sonntagmorgen": "sunday_morning",
    "Sunday morning": "sunday_morning",
    "Montag eben": "monday",
    "Classic Monday": "monday",
    "Tag zwei": "tag_day_two",
    "day two": "tag_day_two",
    "seit gestern Abend": "tag_since_last_night",
}
_NAMES: dict[str, list[str]] = {
    "brew": ["Lumora Brew"] * 8 + ["LumoraBrew", "Brew One"],
    "mill": ["Lumora Mill"] * 9 + ["LumoraMill"],
    "brand": ["Lumora"] * 9 + ["Lumora GmbH"],
    "kaffeeko": ["Kaffeeko"],
    "beanbox": ["BeanBox"] * 8 + ["Bean Box"],
}
_NUMBERS: dict[str, tuple[int, int]] = {
    "days": (4, 19),
    "weeks": (2, 14),
    "code": (11, 48),
    "order": (100_000, 999_999),
    "step": (5, 18),
    "cups": (2, 8),
}

# Core sentences: topic → sentiment → language. Slots: {brew} {mill} {product} {comp} {brand}
# {drink} {time} {city} {feature_brew} {bean} {dur} {weekday} {month} {days} {weeks} {code}
# {order} {step} {tag}. German articles work for every product: all are "die" (Maschine/Mühle).
_T: dict[str, dict[str, dict[str, list[str]]]] = {
    "brand": {
        "pos": {
            "de": _lines("""
                Der Kundenservice von {brand} hat mir heute super schnell geholfen, danke!
                Was Lumora bei Design und Verarbeitung macht, gefällt mir richtig gut.
                Ich mag, dass Lumora Ersatzteile so lange anbietet. Das ist fair und nachhaltig.
                Danke @lumora für den freundlichen Support, das Problem war in fünf Minuten gelöst.
                Seit ich Lumora zu Hause habe, kaufe ich kaum noch Kaffee unterwegs. Lohnt sich.
                Lumora hat echt verstanden, wie guter Kaffee zu Hause funktioniert. Großartig.
                {time} den ersten Kaffee mit Lumora gemacht und ich bin wirklich begeistert.
                Die Anleitung von Lumora ist klar und verständlich, so etwas sieht man selten.
                Lumora hat mir eine kaputte Dichtung kostenlos nachgeschickt. Toller Service!
            """),
            "en": _lines("""
                Lumora's customer support sorted out my problem in five minutes. Impressed.
                I love that Lumora keeps selling spare parts for older machines. Great attitude.
                Thanks @lumora for the friendly help today, the fix worked perfectly.
                Lumora just gets home coffee. Everything about the setup feels thoughtful.
                Made my first coffee with Lumora {time} and I'm honestly delighted.
                The Lumora manual is clear and well written, which is rare these days.
                Lumora sent me a replacement seal for free. Brilliant service!
            """),
        },
        "neu": {
            "de": _lines("""
                {brand} hat auf der Messe in {city} neue Farben vorgestellt.
                Laut Website bietet Lumora jetzt auch Kurse für Milchschaum an.
                Ich überlege, ob ich bei Lumora bestelle oder noch bis zum {month} warte.
                Bei uns in {city} stehen die Geräte von Lumora jetzt auch im Laden.
                Die Lumora GmbH sucht laut Stellenanzeige gerade Leute im Kundenservice.
                Im Newsletter von Lumora steht heute etwas über ein neues Bohnen-Abo.
                Lumora hat die Öffnungszeiten der Hotline geändert, nur zur Info.
            """),
            "en": _lines("""
                Lumora showed new colour options at the trade fair in {city}.
                Lumora now offers milk foam workshops, according to their website.
                Thinking about ordering from Lumora now or waiting until {month}.
                Saw Lumora machines in a shop in {city} for the first time today.
                The Lumora newsletter mentions a new bean subscription this week.
                Lumora changed the opening hours of their hotline, just so you know.
            """),
        },
        "neg": {
            "de": _lines("""
                Der Kundenservice von Lumora ist telefonisch einfach nicht zu erreichen. Schwach.
                Lumora wird immer teurer, das finde ich ärgerlich.
                Ehrlich gesagt hatte ich von Lumora mehr erwartet. Die Qualität lässt nach.
                Drei Mails an Lumora, keine Antwort. So verliert man Kunden.
                Das neue Abo-Modell von Lumora ist eine Frechheit.
                Lumora verspricht viel, aber die Realität sieht leider anders aus.
                Die Garantieabwicklung bei Lumora ist umständlich und dauert ewig.
            """),
            "en": _lines("""
                Lumora support never picks up the phone. Really disappointing.
                Lumora keeps raising prices and it's getting annoying.
                Honestly expected more from Lumora. The quality is slipping.
                Three emails to Lumora and not a single reply. Terrible way to treat customers.
                The new Lumora subscription model feels like a cash grab.
                The warranty process at Lumora is a slow, painful mess.
            """),
        },
    },
    "brew": {
        "pos": {
            "de": _lines("""
                Die {brew} macht den besten {drink}, den ich je zu Hause hatte.
                Mit der {brew} ist der {drink} am Morgen ein kleines Ritual geworden. Ich liebe es.
                {feature_brew} der {brew} ist wirklich durchdacht, super Ergebnis.
                Nach {weeks} Wochen mit der {brew} bin ich immer noch begeistert.
                Die {brew} heizt in unter einer Minute auf. Genial für den {drink} vor der Arbeit.
                Endlich eine Kaffeemaschine, die leise ist. Die {brew} ist super.
                Unser Büro hat jetzt eine {brew} und alle sind glücklich.
                Der {drink} aus der {brew} schmeckt fantastisch, die Crema ist perfekt.
                Die {brew} war jeden Cent wert. Bester Kauf des Jahres.
            """),
            "en": _lines("""
                The {brew} makes the best {drink} I've ever had at home.
                A morning {drink} with the {brew} has become my favourite ritual. Love it.
                The {feature_brew} on the {brew} works perfectly, great results every time.
                {weeks} weeks with the {brew} and I'm still thrilled.
                The {brew} heats up in under a minute. Perfect for a quick {drink} before work.
                Finally a coffee machine that is quiet. The {brew} is excellent.
                Our office got a {brew} and everyone is happy.
                The {brew} was worth every penny. Best purchase of the year.
            """),
        },
        "neu": {
            "de": _lines("""
                Die {brew} steht jetzt bei uns in der Küche. Mal schauen, wie sie sich schlägt.
                Habe die {brew} heute zum ersten Mal entkalkt, das hat etwa 20 Minuten gedauert.
                Die {brew} gibt es jetzt auch in Schwarz und in Weiß.
                Ich notiere mir bei der {brew} gerade Mahlgrad und Menge für jede neue Packung.
                Ich vergleiche diese Woche die {brew} mit meinem alten Siebträger.
                Die {brew} hat einen Wassertank mit 1,8 Litern und einen Tassenwärmer.
                Heute teste ich {bean} in der {brew}.
            """),
            "en": _lines("""
                Just set up the {brew} in our kitchen. Let's see how it does day to day.
                Descaled the {brew} for the first time today, it took about 20 minutes.
                The {brew} now comes in black and in white.
                Comparing the {brew} with my old espresso machine this week.
                Logging my grind and dose on the {brew} for every new bag of beans.
                Trying {bean} in the {brew} today.
            """),
        },
        "neg": {
            "de": _lines("""
                Meine {brew} tropft seit gestern aus der Brühgruppe. Echt ärgerlich.
                {feature_brew} meiner {brew} ist nach {weeks} Wochen kaputt. Enttäuschend.
                Die {brew} ist beim Aufheizen viel zu laut, das nervt jeden Morgen.
                Der {drink} aus der {brew} schmeckt bitter, egal was ich einstelle. Schade.
                Für den Preis hätte ich bei der {brew} eine bessere Verarbeitung erwartet.
                Die {brew} zeigt ständig den Fehler E{code} und der Support hilft nicht weiter.
                Schon wieder muss die {brew} entkalkt werden, das ist wirklich lästig.
                Die {brew} ist nach {weeks} Wochen wieder in der Reparatur. Ich bin frustriert.
            """),
            "en": _lines("""
                My {brew} has been leaking from the group head since yesterday. So annoying.
                The {feature_brew} on my {brew} broke after {weeks} weeks. Disappointing.
                The {brew} is way too loud while heating up, it drives me mad every morning.
                Every {drink} from the {brew} tastes bitter no matter what I change. Not happy.
                For the price I expected much better build quality from the {brew}.
                The {brew} keeps throwing error E{code} and support is useless.
                My {brew} is back in repair after {weeks} weeks. I'm frustrated.
            """),
        },
    },
    "mill": {
        "pos": {
            "de": _lines("""
                Die {mill} mahlt erstaunlich gleichmäßig, mein Espresso war noch nie so gut.
                Mit der {mill} kann ich den Mahlgrad endlich fein genug einstellen. Top!
                Die {mill} ist leise und macht kaum Sauerei. Klare Empfehlung.
                Frisch gemahlen mit der {mill} schmeckt der {drink} einfach viel besser.
                Die {mill} sieht neben der Maschine richtig schick aus und mahlt hervorragend.
                Kaum Totraum bei der {mill}, das freut mich sehr.
                Die {mill} war ein tolles Upgrade, ich bin total zufrieden.
            """),
            "en": _lines("""
                The {mill} grinds incredibly evenly, my espresso has never been this good.
                With the {mill} I can finally go fine enough for espresso. Brilliant.
                The {mill} is quiet and barely makes a mess. Highly recommend.
                Freshly ground with the {mill}, my {drink} tastes so much better.
                Almost zero retention on the {mill}, really pleased.
                The {mill} was a great upgrade and I'm very happy with it.
            """),
        },
        "neu": {
            "de": _lines("""
                Die {mill} hat 40 Mahlstufen, ich bin gerade bei Stufe {step}.
                Habe die {mill} heute zum ersten Mal gereinigt.
                In den Bohnenbehälter der {mill} passen etwa 250 Gramm.
                Ich teste mit der {mill} gerade {bean}.
                Ich stelle mein Setup von der Handmühle auf die {mill} um.
                Die {mill} steht jetzt neben der Maschine, mal sehen, wie sie sich macht.
            """),
            "en": _lines("""
                The {mill} has 40 grind settings, I'm on {step} right now.
                Cleaned the {mill} for the first time today.
                Trying {bean} with the {mill} this week.
                Switching my setup from a hand grinder to the {mill}.
                The hopper on the {mill} holds about 250 grams of beans.
            """),
        },
        "neg": {
            "de": _lines("""
                Die {mill} verstopft bei dunklen Bohnen ständig. Nervig.
                Das Mahlwerk der {mill} klingt nach {weeks} Wochen schon komisch. Enttäuschend.
                Die {mill} hält den Mahlgrad nicht, jeden Tag schmeckt der Espresso anders.
                Viel zu viel statische Aufladung bei der {mill}, überall liegt Kaffeepulver.
                Für das Geld ist die {mill} viel zu laut.
                Der Deckel der {mill} ist nach {weeks} Wochen gebrochen. Billig verarbeitet.
            """),
            "en": _lines("""
                The {mill} keeps clogging with dark roasts. Frustrating.
                The burrs on my {mill} sound weird after just {weeks} weeks. Disappointing.
                The {mill} won't hold its setting, every espresso tastes different.
                So much static with the {mill}, there's coffee dust everywhere.
                The {mill} is far too loud for what it costs.
                The lid of my {mill} cracked after {weeks} weeks. Cheap plastic.
            """),
        },
    },
    "competitor": {
        "pos": {
            "de": _lines("""
                Meine {comp} läuft seit Jahren ohne Probleme. Zuverlässig und gut.
                Bei {comp} war die Beratung am Telefon richtig gut, danke!
                Der neue Milchschäumer von {comp} überzeugt mich total.
                Die {comp} macht einen wirklich leckeren {drink}, ich bin zufrieden.
                Preis und Leistung stimmen bei {comp}, finde ich hervorragend.
            """),
            "en": _lines("""
                My {comp} has been running for years without a single problem. Reliable.
                The phone advice from {comp} was genuinely helpful, thanks!
                The new milk frother from {comp} is really impressive.
                The {comp} makes a really tasty {drink}, I'm happy with it.
                Great value for money with {comp}, I love it.
            """),
        },
        "neu": {
            "de": _lines("""
                {comp} hat heute ein neues Modell angekündigt.
                Ich überlege gerade zwischen der {comp} und einem Siebträger.
                Diese Woche gibt es die Maschinen von {comp} im Angebot.
                Hat jemand Erfahrung mit dem Bohnen-Abo von {comp}?
                {comp} hat jetzt auch in {city} einen eigenen Laden.
            """),
            "en": _lines("""
                {comp} announced a new model today.
                Deciding between the {comp} and a proper espresso machine.
                The {comp} machines are on sale this week.
                Has anyone tried the bean subscription from {comp}?
                {comp} opened its own shop in {city}.
            """),
        },
        "neg": {
            "de": _lines("""
                Meine {comp} ist nach zwei Jahren schon kaputt. Sehr enttäuschend.
                Der Kundendienst von {comp} ist eine Katastrophe.
                Der {drink} aus der {comp} schmeckt wässrig und langweilig.
                {comp} hat die Preise schon wieder erhöht, ärgerlich.
                Die App von {comp} stürzt ständig ab. Das nervt.
            """),
            "en": _lines("""
                My {comp} died after just two years. Very disappointing.
                {comp} customer service is a disaster.
                The {drink} from the {comp} tastes watery and dull.
                {comp} raised their prices again, annoying.
                The {comp} app crashes all the time. So irritating.
            """),
        },
    },
    "compare": {
        "pos": {
            "de": _lines("""
                Bin von {comp} auf die {brew} umgestiegen und bereue nichts. Viel besserer {drink}.
                Im direkten Vergleich gewinnt für mich die {brew} gegen die {comp}. Tolle Crema.
                Die {mill} ist deutlich leiser als die Mühle von {comp}. Top.
                Die {brew} ist in allem besser als meine alte {comp}, ich bin begeistert.
            """),
            "en": _lines("""
                Switched from {comp} to the {brew} and I regret nothing. Much better {drink}.
                Side by side, the {brew} beats the {comp} for me. Lovely crema.
                The {mill} is so much quieter than the {comp} grinder. Great.
                The {brew} is better than my old {comp} in every way, I'm thrilled.
            """),
        },
        "neu": {
            "de": _lines("""
                {brew} oder {comp}? Ich kann mich nicht entscheiden.
                Vergleichstest {brew} gegen {comp}: beide haben Stärken und Schwächen.
                Was ist für Einsteiger besser, die {comp} oder die {brew}?
                Die {brew} und die {comp} kosten ungefähr gleich viel, wie ich sehe.
            """),
            "en": _lines("""
                {brew} or {comp}? I can't decide.
                Comparing the {brew} and the {comp}: both have strengths and weaknesses.
                Which is better for a beginner, the {comp} or the {brew}?
                The {brew} and the {comp} cost about the same, from what I see.
            """),
        },
        "neg": {
            "de": _lines("""
                Ehrlich, meine alte {comp} war zuverlässiger als die {brew}. Schade.
                Zurück zu {comp}: die {brew} hat mich leider enttäuscht.
                Die {comp} kostet weniger und der {drink} ist genauso gut. Wozu also die {brew}?
            """),
            "en": _lines("""
                Honestly my old {comp} was more reliable than the {brew}. Shame.
                Going back to {comp}: the {brew} really let me down.
                The {comp} costs less and the {drink} is just as good. Why pay for the {brew}?
            """),
        },
    },
    "keyword": {
        "pos": {
            "de": _lines("""
                Sonntagmorgen, frischer Espresso und die Zeitung. Mehr brauche ich nicht.
                Endlich habe ich den Dreh mit dem Siebträger raus, der Espresso schmeckt großartig.
                Neue Kaffeemaschine im Büro und plötzlich sind alle gut gelaunt.
                Entkalken erledigt und die Maschine läuft wieder wie neu. Herrlich.
                Der Espresso im kleinen Café am Markt ist einfach wunderbar.
                Die Kaffeemaschine meiner Eltern ist 20 Jahre alt und läuft immer noch toll.
            """),
            "en": _lines("""
                Sunday morning, fresh espresso and the paper. That's all I need.
                Finally got the hang of pulling shots, the espresso tastes amazing.
                New coffee machine at the office and suddenly everyone is cheerful.
                Descaling done and the machine runs like new. Lovely.
                The espresso at the little café by the market is simply wonderful.
            """),
        },
        "neu": {
            "de": _lines("""
                Welche Kaffeemaschine nutzt ihr eigentlich im Homeoffice?
                Heute gelernt: Ein Espresso sollte ungefähr 25 bis 30 Sekunden laufen.
                Das Entkalken steht mal wieder an. Essig oder Zitronensäure?
                Siebträger oder Vollautomat, was ist euer Favorit?
                Ich suche eine Kaffeemaschine für die Ferienwohnung, nichts Großes.
                Wie viel Gramm Kaffee nehmt ihr für einen doppelten Espresso?
            """),
            "en": _lines("""
                Which coffee machine do you use when working from home?
                Today I learned: an espresso shot should run for about 25 to 30 seconds.
                Descaling day again. Vinegar or citric acid?
                Looking for a small coffee machine for the holiday flat, nothing fancy.
                How many grams do you use for a double espresso?
            """),
        },
        "neg": {
            "de": _lines("""
                Die Kaffeemaschine im Büro ist schon wieder kaputt. Montag eben.
                Entkalken vergessen und jetzt schmeckt der Espresso furchtbar.
                Der Espresso im Café war heute leider bitter und lauwarm.
                Mein Siebträger leckt am Dichtungsring. So ein Mist.
                Die Kaffeemaschine im Hotel war so schlecht, dass ich Tee getrunken habe.
            """),
            "en": _lines("""
                The office coffee machine is broken again. Classic Monday.
                Forgot the descaling and now my espresso tastes awful.
                The espresso at the café today was bitter and lukewarm. Sad.
                The hotel coffee machine was so bad that I switched to tea.
            """),
        },
    },
    "delivery": {
        "neg": {
            "de": _lines("""
                Meine {product} ist {dur} bestellt und immer noch nicht angekommen.
                Die Lieferung der {product} wurde schon zum dritten Mal verschoben. Es reicht.
                Bestellung {order} bei Lumora: Lieferung für {weekday} angekündigt, nichts kam.
                Hat noch jemand Probleme mit der Lieferung von Lumora? Mein Paket hängt fest.
                Die Sendungsverfolgung zeigt seit {days} Tagen denselben Status. Keine {product}.
                Der Kundenservice von Lumora antwortet nicht und die Lieferung ist überfällig.
                Das Paket kam beschädigt an, der Karton war eingedrückt. Lieferung eine Katastrophe.
                Ich warte {dur} auf meine Lieferung. Geld abgebucht, aber keine {product} da.
                Lumora, wo bleibt meine Lieferung? Seit {days} Tagen immer noch nicht angekommen.
                Lieferung angeblich zugestellt, aber bei mir ist nichts angekommen. Super, Lumora.
            """),
            "en": _lines("""
                Still waiting for my {product}. Ordered {dur} ago and delivery keeps slipping.
                Lumora delivery is a joke. Tracking hasn't changed in {days} days.
                Anyone else having delivery problems with Lumora? My parcel is stuck.
                Paid for express delivery and I'm still waiting after {days} days. Not impressed.
                My {product} arrived with a crushed box. Awful delivery from Lumora.
                Lumora support says the delivery is on its way, for the third time. Still waiting.
                Order {order} from Lumora is still not here. Really frustrating.
                Delivery marked as completed, but nothing arrived. Great job, Lumora.
            """),
        },
    },
    "delivery_praise": {
        "pos": {
            "de": _lines("""
                Die Lieferung von Lumora kam schon nach zwei Tagen und war super verpackt. Danke!
                Wow, die {product} wurde heute geliefert, einen Tag früher als angekündigt.
                Lieferung pünktlich am {weekday}, alles heil angekommen. So muss das sein.
            """),
            "en": _lines("""
                Lumora delivery was super quick, my {product} arrived in two days. Great packing.
                My {product} was delivered a day early. Nice work, Lumora!
                Delivery on time on {weekday} and everything arrived intact. Lovely.
            """),
        },
    },
    "latteart": {
        "pos": {
            "de": _lines("""
                Mein erstes Herz auf dem Cappuccino mit der {brew}! {tag}
                Die {tag} Challenge macht süchtig. Heute eine Rosetta, morgen ein Schwan?
                Milchschaum mit der {brew} klappt immer besser, hier mein Versuch {tag}
                Alle posten gerade {tag}, also mache ich mit: Tulpe auf Flat White, sehr stolz.
                {tag} Tag zwei: Das Muster sieht schon fast wie ein Blatt aus. Macht riesig Spaß.
                Wer hat die {tag} Sache angefangen? Ich übe seit gestern Abend und liebe es.
            """),
            "en": _lines("""
                My first heart on a cappuccino with the {brew}! {tag}
                The {tag} challenge is addictive. Rosetta today, swan tomorrow?
                Getting better at milk foam with the {brew}, here's my attempt {tag}
                Everyone is posting {tag} so I'm joining in: tulip on a flat white, so proud.
                {tag} day two: it almost looks like a leaf now. This is so much fun.
            """),
        },
    },
    "exclusion": {
        "neu": {
            "de": _lines("""
                Zurück aus dem Lumora Beach Resort: Sonne, Meer und überraschend guter Espresso.
                Hat jemand Tipps für das Lumora Beach Resort? Wir fliegen im {month}.
            """),
            "en": _lines("""
                Just back from the Lumora Beach Resort, amazing sunsets and decent espresso.
                Has anyone been to the Lumora Beach Resort? Thinking of booking for {month}.
            """),
        },
    },
}

# Recurring product questions: (intent, weight, questions by language, answers by language).
_QUESTIONS: list[tuple[str, float, dict[str, list[str]], dict[str, list[str]]]] = [
    ("descale", 3.0,
     {"de": ["Wie entkalke ich die Lumora Brew?", "Wie oft muss man die Lumora Brew entkalken?",
             "Welches Entkalkungsmittel nehmt ihr für die Lumora Brew?"],
      "en": ["How do I descale the Lumora Brew?", "How often should I descale my Lumora Brew?",
             "Which descaler do you use for the Lumora Brew?"]},
     {"de": ["Im Menü gibt es ein Programm zum Entkalken, das dauert etwa 20 Minuten.",
             "Ich entkalke alle vier Wochen mit Zitronensäure, das klappt gut."],
      "en": ["There's a descaling programme in the menu, it takes about 20 minutes.",
             "I descale every four weeks with citric acid and it works fine."]}),
    ("oily_beans", 2.5,
     {"de": ["Verträgt die Lumora Mill ölige Bohnen?",
             "Kann ich dunkle, ölige Bohnen in der Lumora Mill mahlen?"],
      "en": ["Does the Lumora Mill work with oily beans?",
             "Can the Lumora Mill handle dark, oily roasts?"]},
     {"de": ["Geht schon, aber du musst das Mahlwerk dann öfter reinigen.",
             "Bei mir klappt das, solange ich den Behälter nicht ganz voll mache."],
      "en": ["It works, but you'll need to clean the burrs more often.",
             "Mine copes fine as long as I don't fill the hopper to the top."]}),
    ("grind", 2.0,
     {"de": ["Welchen Mahlgrad nutzt ihr bei der Lumora Mill für Espresso?"],
      "en": ["What grind setting do you use on the Lumora Mill for espresso?"]},
     {"de": ["Ich bin bei Stufe {step}, aber das hängt stark von den Bohnen ab."],
      "en": ["I'm on {step}, but it really depends on the beans."]}),
    ("frother", 1.5,
     {"de": ["Wie reinige ich den Milchschäumer der Lumora Brew richtig?"],
      "en": ["How do you clean the milk frother on the Lumora Brew?"]},
     {"de": ["Direkt nach dem Schäumen kurz Dampf ablassen und mit einem feuchten Tuch abwischen."],
      "en": ["Purge the steam wand right after use and wipe it with a damp cloth."]}),
    ("filter", 1.0,
     {"de": ["Braucht die Lumora Brew wirklich einen Wasserfilter?"],
      "en": ["Is the water filter on the Lumora Brew really necessary?"]},
     {"de": ["Bei hartem Wasser würde ich ihn nutzen, dann musst du seltener entkalken."],
      "en": ["With hard water I'd use it, you'll need to descale less often."]}),
    ("warranty", 1.0,
     {"de": ["Wie lange ist die Garantie auf die Lumora Brew?"],
      "en": ["What's the warranty on the Lumora Mill?"]},
     {"de": ["Zwei Jahre, steht auch auf der Rechnung."],
      "en": ["Two years, it says so on the invoice too."]}),
    ("error", 1.0,
     {"de": ["Die Lumora Brew zeigt den Fehler E{code}, was bedeutet das?"],
      "en": ["My Lumora Brew shows error E{code}, what does it mean?"]},
     {"de": ["Das hatte ich auch, nach einem Neustart war der Fehler weg."],
      "en": ["Had the same, it went away after a restart."]}),
    ("combo", 1.0,
     {"de": ["Lohnt sich die Lumora Mill, wenn man schon die Lumora Brew hat?"],
      "en": ["Is the Lumora Mill worth it if I already have the Lumora Brew?"]},
     {"de": ["Auf jeden Fall, frisch gemahlen ist der Unterschied riesig."],
      "en": ["Absolutely, the difference with freshly ground beans is huge."]}),
    ("parts", 0.8,
     {"de": ["Wo bekomme ich Ersatzteile für die Lumora Brew?"],
      "en": ["Where can I buy spare parts for the Lumora Brew?"]},
     {"de": ["Im Onlineshop von Lumora gibt es eine eigene Seite für Ersatzteile."],
      "en": ["The Lumora web shop has a page just for spare parts."]}),
    ("temperature", 0.8,
     {"de": ["Kann man bei der Lumora Brew die Brühtemperatur einstellen?"],
      "en": ["Can you adjust the brew temperature on the Lumora Brew?"]},
     {"de": ["Ja, in den Einstellungen in Schritten von einem Grad."],
      "en": ["Yes, in the settings, in steps of one degree."]}),
    ("portafilter", 0.6,
     {"de": ["Welche Siebträgergröße hat die Lumora Brew?"],
      "en": ["What portafilter size does the Lumora Brew use?"]},
     {"de": ["58 Millimeter, also Standard."],
      "en": ["58 mm, so the standard size."]}),
]  # fmt: skip
_QUESTION_WEIGHTS = list(accumulate(q[1] for q in _QUESTIONS))
_ASK = {
    "de": ["Kurze Frage:", "Frage in die Runde:", "Hilfe gesucht:", "Weiß das jemand?"],
    "en": ["Quick question:", "Question for the hive mind:", "Help needed:", "Anyone know?"],
}
_ASK_AFTER = {
    "de": [
        "Danke vorab!",
        "In der Anleitung finde ich dazu nichts.",
        "Bin noch neu dabei.",
        "Ich bin kein Profi, nur neugierig.",
    ],
    "en": [
        "Thanks in advance!",
        "The manual doesn't say.",
        "Still new to this.",
        "Not a pro, just curious.",
    ],
}

# News items: (sentiment, title, body), journalistic and mostly neutral.
_NEWS: dict[str, list[tuple[str, str, str]]] = {
    "de": [
        ("neu", "Lumora veröffentlicht Update für die Lumora Brew",
         "Die Lumora GmbH hat ein Update für die Lumora Brew veröffentlicht, das die "
         "Aufheizzeit verkürzen soll. Es lässt sich über die App installieren."),
        ("neu", "Lumora erweitert Fertigung in {city}",
         "Lumora baut seine Fertigung in {city} aus und will dort 40 neue Stellen schaffen."),
        ("neu", "Kaffeemaschinen im Test: Was taugen Geräte unter 500 Euro?",
         "Im Vergleich von zwölf Geräten schneidet die Lumora Brew bei Espresso gut ab, "
         "die Maschine von {comp} punktet beim Preis."),
        ("neu", "{comp} kündigt neue Modellreihe an",
         "Der Hersteller {comp} hat eine neue Modellreihe angekündigt, die im {month} "
         "in den Handel kommen soll."),
        ("pos", "Lumora Mill gewinnt Designpreis",
         "Die Lumora Mill wurde für ihr schlichtes Design ausgezeichnet. Die Jury lobte die "
         "gute Bedienbarkeit."),
        ("neg", "Verbraucherzentrale: Beschwerden über Lieferzeiten nehmen zu",
         "Bei der Verbraucherzentrale gehen mehr Beschwerden über verspätete Lieferungen von "
         "Küchengeräten ein, darunter auch Bestellungen bei Lumora."),
        ("neu", "BeanBox startet Bohnen-Abo",
         "BeanBox bietet ab sofort ein Abo für frisch geröstete Bohnen an, zunächst nur in "
         "Deutschland."),
        ("neu", "Entkalken, aber richtig: Tipps für die Kaffeemaschine",
         "Wer regelmäßig entkalkt, verlängert das Leben seiner Kaffeemaschine. Die Hersteller "
         "Lumora und {comp} empfehlen dafür eigene Mittel."),
    ],
    "en": [
        ("neu", "Lumora ships update for the Lumora Brew",
         "Lumora has released an update for the Lumora Brew that is meant to shorten the "
         "heat-up time. It installs through the app."),
        ("neu", "Home espresso machines under 500 euros compared",
         "In a comparison of twelve machines the Lumora Brew did well on espresso, while "
         "the machine from {comp} scored on price."),
        ("neu", "{comp} announces a new range of machines",
         "{comp} has announced a new range of coffee machines that is due in shops in "
         "{month}."),
        ("pos", "Lumora Mill wins a design award",
         "The Lumora Mill was recognised for its clean design. The jury praised how easy it "
         "is to use."),
        ("neg", "Complaints about late deliveries of kitchen appliances are rising",
         "Consumer groups report more complaints about late delivery of kitchen appliances, "
         "including orders placed with Lumora."),
        ("neu", "Descaling done right: keeping your coffee machine alive",
         "Regular descaling extends the life of a coffee machine. Both Lumora and {comp} "
         "recommend their own descaler."),
    ],
}  # fmt: skip
_NEWS_MORE = {
    "de": ["Ein Sprecher des Unternehmens bestätigte die Pläne auf Anfrage.",
           "Konkrete Zahlen nannte das Unternehmen nicht.",
           "Händler rechnen mit einer stabilen Nachfrage."],
    "en": ["A company spokesperson confirmed the plans when asked.",
           "The company did not give any figures.",
           "Retailers expect demand to stay steady."],
}  # fmt: skip

_TITLES: dict[str, dict[str, list[str]]] = {
    "de": {
        "brand": ["Erfahrungen mit Lumora?", "Was haltet ihr von Lumora?", "Lumora Kundenservice"],
        "brew": ["{brew}: meine Erfahrungen", "{brew} nach {weeks} Wochen", "Zur {brew}"],
        "mill": ["{mill}: erste Eindrücke", "Mahlgrad bei der {mill}", "Zur {mill}"],
        "delivery": ["Lieferung von Lumora verspätet", "Wo bleibt meine {product}?",
                     "Probleme mit der Lieferung"],
        "delivery_praise": ["Schnelle Lieferung von Lumora"],
        "competitor": ["{comp}: Erfahrungen?", "Meinungen zu {comp}"],
        "compare": ["{brew} gegen {comp}", "Lumora oder {comp}?"],
        "keyword": ["Kaffeemaschine fürs Homeoffice", "Espresso-Tipps", "Entkalken: wie oft?"],
        "latteart": ["Latte Art mit der {brew}"],
        "exclusion": ["Urlaub im Lumora Beach Resort"],
        "review": ["Test: die {product} nach {weeks} Wochen im Alltag",
                   "Erfahrungsbericht: die {product}", "Meine ehrliche Meinung zur {product}"],
    },
    "en": {
        "brand": ["Experiences with Lumora?", "What do you think of Lumora?", "Lumora support"],
        "brew": ["{brew}: my experience", "{brew} after {weeks} weeks", "About the {brew}"],
        "mill": ["{mill}: first impressions", "Grind settings on the {mill}"],
        "delivery": ["Lumora delivery delayed", "Where is my {product}?", "Delivery problems"],
        "delivery_praise": ["Quick delivery from Lumora"],
        "competitor": ["{comp}: any experiences?", "Opinions on {comp}"],
        "compare": ["{brew} vs {comp}", "Lumora or {comp}?"],
        "keyword": ["Coffee machine for working from home", "Espresso tips",
                    "Descaling: how often?"],
        "latteart": ["Latte art with the {brew}"],
        "exclusion": ["Holiday at the Lumora Beach Resort"],
        "review": ["Review: the {product} after {weeks} weeks", "Long-term test: the {product}",
                   "My honest take on the {product}"],
    },
}  # fmt: skip
_VERDICT = {
    "de": {"pos": "Fazit: klare Kaufempfehlung.", "neu": "Fazit: solide, aber nicht perfekt.",
           "neg": "Fazit: für mich leider ein Fehlkauf."},
    "en": {"pos": "Verdict: easy to recommend.", "neu": "Verdict: solid, but not perfect.",
           "neg": "Verdict: sadly a bad buy for me."},
}  # fmt: skip
_OPENERS = {
    "de": {"pos": ["Kleiner Glücksmoment:", "Ehrlich gesagt:", "Update:",
                   "Fazit nach ein paar Tagen:"],
           "neu": ["Kurze Info:", "Update:", "Nur so nebenbei:", "Zur Info:"],
           "neg": ["Ehrlich gesagt:", "Mal ehrlich:", "Puh.", "Kurzer Frust:", "Ich bin bedient."]},
    "en": {"pos": ["Small joy of the day:", "Honestly:", "Quick update:",
                   "Verdict after a few days:"],
           "neu": ["FYI:", "Quick note:", "Update:", "For the record:"],
           "neg": ["Honestly:", "Rant incoming:", "Ugh.", "Quick vent:", "I'm done."]},
}  # fmt: skip
_CLOSERS = {
    "de": {"pos": ["Klare Empfehlung.", "Bin begeistert.", "Würde ich sofort wieder kaufen.",
                   "Macht einfach Freude.", "Sehr zufrieden."],
           "neu": ["Mal sehen, wie es weitergeht.", "Bin gespannt.", "Meinungen dazu?",
                   "Mehr dazu später."],
           "neg": ["Echt ärgerlich.", "So macht das keinen Spaß.", "Ich bin enttäuscht.",
                   "Das geht besser.", "Nie wieder."]},
    "en": {"pos": ["Highly recommend.", "Absolutely love it.", "Would buy again in a heartbeat.",
                   "Pure joy.", "Very happy."],
           "neu": ["We'll see how it goes.", "Curious to see more.", "Thoughts?",
                   "More on this later."],
           "neg": ["So annoying.", "Not fun at all.", "Really disappointed.",
                   "They can do better.", "Never again."]},
}  # fmt: skip
# A reply agrees with its parent when both have the same sentiment, else it disagrees.
_REPLY_OPENERS = {
    "de": {"same": ["Geht mir genauso.", "Kann ich bestätigen.", "Dito.", "Ja, genau so."],
           "other": ["Bei mir ist es anders:", "Hm, meine Erfahrung ist eine andere:"]},
    "en": {"same": ["Same here.", "Can confirm.", "Ditto.", "Yes, exactly this."],
           "other": ["Different experience here:", "Funny, for me it's the opposite:"]},
}  # fmt: skip
_ANSWER_OPENERS = {
    "de": ["Bei mir:", "Aus eigener Erfahrung:", "Kurz gesagt:", "Laut Anleitung:"],
    "en": ["In my case:", "From experience:", "Short answer:", "Per the manual:"],
}
_ANSWER_CLOSERS = {
    "de": ["Viel Erfolg!", "Hoffe, das hilft.", "Sonst frag mal beim Support nach."],
    "en": ["Good luck!", "Hope that helps.", "Otherwise ask support."],
}
# Personal context that any post may carry. Independent of topic and sentiment, it
# multiplies the number of distinct texts, so that near-duplicate detection flags the
# reposts and syndicated copies rather than every post that reuses a template.
_CONTEXT = {
    "de": _lines("""
        Wir trinken zu zweit etwa {cups} Tassen am Tag.
        Ich trinke morgens fast immer einen {drink}.
        Wohne in {city}, falls das wichtig ist.
        Gerade habe ich {bean} im Haus.
        Das war übrigens {time}.
        Ich mache das jetzt seit {weeks} Wochen so.
        Mein Partner trinkt nur {drink}, ich eher Filterkaffee.
        Im Homeoffice ist Kaffee mein wichtigstes Werkzeug.
        Die Küche ist klein, jeder Zentimeter zählt.
        Vorher hatte ich jahrelang eine French Press.
        Meine Kollegin hat mich darauf gebracht.
        Bei uns gibt es sonntags immer {drink} zum Frühstück.
        Seit ich eine Waage habe, wiege ich jede Portion ab.
    """),
    "en": _lines("""
        The two of us drink about {cups} cups a day.
        I almost always start the day with a {drink}.
        I live in {city}, in case that matters.
        Currently brewing {bean}.
        That was {time}, by the way.
        I've been doing it this way for {weeks} weeks now.
        My partner only drinks {drink}, I prefer filter.
        Working from home, coffee is my most important tool.
        Our kitchen is tiny, every inch counts.
        I used a French press for years before this.
        A colleague talked me into it.
        Since I bought a scale I weigh every dose.
        Sunday breakfast always means {drink} in our house.
    """),
}

_EMOJI = {
    "pos": ["☕", "😍", "👍", "✨", "🙌"],
    "neu": ["☕", "🤔", "👀"],
    "neg": ["😤", "😞", "👎", "🙄"],
}
_TAGS = {
    "brand": {"de": ["#lumora"] * 3 + ["#kaffeeliebe"] * 2 + ["#baristaathome", "#kaffee"],
              "en": ["#lumora"] * 3 + ["#coffeetime"] * 2 + ["#baristaathome"] * 2
              + ["#homebarista"]},
    "other": {"de": ["#kaffeeliebe"] * 3 + ["#kaffee", "#espresso", "#baristaathome"],
              "en": ["#coffeetime"] * 3 + ["#baristaathome", "#homebarista", "#coffeelover"]},
    "delivery": {"de": ["#lumora", "#lieferchaos", "#kaffeeliebe"],
                 "en": ["#lumora", "#deliveryfail", "#coffeetime"]},
}  # fmt: skip

_FIRST = {
    "de": ["Jule", "Max", "Anna", "Lukas", "Sophie", "Jonas", "Lena", "Felix", "Marie", "Paul",
           "Hannah", "Tim", "Laura", "Niklas", "Mia", "Ben", "Clara", "Tobias", "Katrin",
           "Stefan", "Sabine", "Jens", "Birgit", "Uwe", "Ayşe", "Mehmet", "Olga", "Piotr"],
    "en": ["Emma", "Liam", "Olivia", "Noah", "Ava", "James", "Sophia", "Lucas", "Mia", "Ethan",
           "Chloe", "Daniel", "Grace", "Ryan", "Zoe", "Sam", "Priya", "Arjun", "Mei", "Kenji",
           "Fatima", "Omar", "Jack", "Ella"],
}  # fmt: skip
_LAST = {
    "de": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
           "Hoffmann", "Schulz", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz",
           "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Köhler", "Yılmaz",
           "Nowak", "Kowalski"],
    "en": ["Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas",
           "Roberts", "Walker", "Wright", "Green", "Hall", "Patel", "Nguyen", "Kim", "Garcia",
           "Lopez", "Murphy", "Kelly", "Chen", "Singh", "Khan"],
}  # fmt: skip
_HANDLE_WORDS = {"de": ["bohne", "crema", "espresso", "kaffee"], "en": ["beans", "crema", "brews"]}
_OUTLETS = {
    "demo-news": {"de": ["Kaffeewelt Magazin", "Haushalt & Technik", "Genussblatt"],
                  "en": ["Brew Daily", "Home Barista Weekly", "The Crema Report"]},
    "demo-blog": {"de": ["Bohnenblog", "Siebträgerliebe", "Mahlgrad & Milch"],
                  "en": ["The Grind Journal", "Milk & Crema", "Slow Coffee Notes"]},
}  # fmt: skip
_SOCIAL_SOURCES = ("demo-mastodon", "demo-bluesky", "demo-reddit", "demo-forum", "demo-hn")
_SOURCE_WEIGHTS = {
    "de": list(accumulate([0.34, 0.22, 0.14, 0.26, 0.04])),
    "en": list(accumulate([0.22, 0.26, 0.30, 0.08, 0.14])),
}
_SLOT = re.compile(r"\{(\w+)\}")
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i", "ş": "s"})


@dataclass(frozen=True)
class _Author:
    name: str
    handle: str  # bare; each source dresses it in its own format
    followers: int


@dataclass
class _Post:
    """What later replies and reposts need to know about an original item."""

    external_id: str
    source: str
    lang: str
    handle: str
    text: str
    title: str | None
    thread_id: str | None
    seconds: int
    sentiment: str
    intent: str | None


@dataclass
class _Draft:
    text: str
    lang: str
    sentiment: str
    source: str
    kind: str = "post"
    title: str | None = None
    reply_to: _Post | None = None
    intent: str | None = None


class Ingestor(Protocol):
    """Where `seed_demo` sends its batches: `core.pipeline.Pipeline` in the running bot."""

    async def ingest(self, items: Sequence[RawMention], *, via: str = ...) -> IngestResult: ...


def generate_demo(
    now: dt.datetime, *, days: int = 30, total: int = 20_000, seed: int = 42
) -> Iterator[RawMention]:
    """Yield a synthetic mention stream over [now - days, now] in published order.

    The same `seed` and `now` always give the same items, exactly `total` of them. Every
    item is marked `synthetic`, kept even if it matches no watch term, and leaves language
    and sentiment to the pipeline. See the module docstring for the planted events.
    """
    now = to_naive_utc(now)
    hours = max(days, 0) * 24
    if hours == 0 or total <= 0:
        return
    rng = random.Random(seed)
    start = now - dt.timedelta(hours=hours)
    cells, cum = _cell_weights(rng, start, hours)
    # Draw every item's hour and topic at once: a multinomial over (hour, topic) cells keeps
    # the total exact while each cell's count varies like real, Poisson-ish traffic.
    picks = rng.choices(range(len(cells)), cum_weights=cum, k=total)
    slots = sorted((cells[c][0] * 3600 + rng.randrange(3600), cells[c][1]) for c in picks)
    writer = _Writer(rng, hours)
    log.info("generating %d synthetic demo mentions over %d days (seed %d)", total, days, seed)
    for i, (seconds, topic) in enumerate(slots):
        yield writer.item(i, topic, seconds, start + dt.timedelta(seconds=seconds))


async def seed_demo(
    pipeline: Ingestor,
    *,
    now: dt.datetime,
    batch_size: int = 500,
    days: int = 30,
    total: int = 20_000,
    seed: int = 42,
) -> int:
    """Feed the demo stream through `pipeline.ingest`; return how many mentions were new.

    Idempotent: the pipeline skips (source, external_id) pairs it already stored, so a second
    run with the same `now` and `seed` stores nothing and returns 0.
    """
    new = 0
    batch: list[RawMention] = []
    for item in generate_demo(now, days=days, total=total, seed=seed):
        batch.append(item)
        if len(batch) >= batch_size:
            new += (await pipeline.ingest(batch, via="demo")).new
            batch = []
    if batch:
        new += (await pipeline.ingest(batch, via="demo")).new
    log.info("demo seeding stored %d new synthetic mentions", new)
    return new


def _cell_weights(
    rng: random.Random, start: dt.datetime, hours: int
) -> tuple[list[tuple[int, str]], list[float]]:
    """Every (hour, topic) cell and the cumulative weights to draw cells from."""
    base: list[float] = []
    day_noise: dict[dt.date, float] = {}
    for h in range(hours):
        local = (start + dt.timedelta(hours=h, minutes=30)).replace(tzinfo=dt.UTC).astimezone(_ZONE)
        profile = _WEEKEND_HOURS if local.weekday() >= 5 else _WEEKDAY_HOURS
        # Day-to-day and hour-to-hour noise plus a slight growth over the month give trend
        # detection a baseline that is neither flat nor perfectly periodic.
        day = day_noise.setdefault(local.date(), rng.lognormvariate(0.0, 0.12))
        growth = 1.0 + 0.1 * h / hours
        noise = rng.lognormvariate(0.0, 0.2)
        base.append(profile[local.hour] * _DAY_FACTOR[local.weekday()] * day * growth * noise)
    mean = sum(base) / hours
    cells: list[tuple[int, str]] = []
    weights: list[float] = []
    for h, b in enumerate(base):
        age = hours - h - 0.5  # hours before `now`, at the middle of the hour
        for topic, share in _TOPIC_SHARE.items():
            cells.append((h, topic))
            weights.append(b * share * _topic_factor(topic, age))
        if age < HASHTAG_RISE.total_seconds() / 3600:
            # Rises from zero and accelerates, as a catching-on hashtag does; only 30 % of it
            # follows the day rhythm, so that the rise stays visible through the night.
            ramp = 1.0 - age / (HASHTAG_RISE.total_seconds() / 3600)
            cells.append((h, "latteart"))
            weights.append(_LATTE_PEAK * ramp**1.5 * (0.7 * mean + 0.3 * b))
    return cells, list(accumulate(weights))


def _topic_factor(topic: str, age: float) -> float:
    """How a topic's normal share is scaled `age` hours before now (the planted events)."""
    if topic == "delivery":
        centre = DELIVERY_SPIKE_BEFORE.total_seconds() / 3600
        off = abs(age - centre)
        height = 1.0 - max(0.0, off - _SPIKE_PLATEAU_H) / _SPIKE_RAMP_H
        return 1.0 + (DELIVERY_SPIKE_FACTOR - 1.0) * min(1.0, max(0.0, height))
    if topic == "kaffeeko":
        return _kaffeeko_factor(age)
    return 1.0


def _kaffeeko_factor(age: float) -> float:
    since = KAFFEEKO_DROP_SINCE.total_seconds() / 3600
    # A 12-hour slide into the drop rather than a step: volumes rarely fall off a cliff.
    into = min(1.0, max(0.0, (since - age) / 12.0))
    return 1.0 - (1.0 - KAFFEEKO_DROP_FACTOR) * into


class _Writer:
    """Turns (index, topic, time) into a complete RawMention; keeps the recent posts."""

    def __init__(self, rng: random.Random, hours: int) -> None:
        self.rng = rng
        self.hours = hours
        self.local = dt.datetime(2000, 1, 1, 12, tzinfo=_ZONE)  # the current item's local time
        self.age = 0.0
        self.recent: dict[str, deque[_Post]] = {}
        self.people = {lang: _people(rng, lang, 1200) for lang in ("de", "en")}
        # Zipf-like activity: a few people post a lot, most post once or twice.
        self.people_cum = {
            lang: list(accumulate(1.0 / (r + 1) ** 0.8 for r in range(len(pool))))
            for lang, pool in self.people.items()
        }
        self.outlets = {
            (src, name): _Author(name, _slug(name), int(rng.lognormvariate(9.5, 1.0)))
            for src, by_lang in _OUTLETS.items()
            for lang, names in by_lang.items()
            for name in names
        }

    def item(self, i: int, topic: str, seconds: int, published: dt.datetime) -> RawMention:
        rng = self.rng
        self.local = published.replace(tzinfo=dt.UTC).astimezone(_ZONE)
        self.age = self.hours - seconds / 3600  # hours before `now`
        draft = self._derived(topic, seconds) or self._original(topic, seconds)
        source = draft.source
        author = self._author(source, draft.lang)
        external_id = f"demo-{i:06d}"
        parent = draft.reply_to
        thread_id = (parent.thread_id or parent.external_id) if parent else None
        if parent is None and source in ("demo-forum", "demo-reddit", "demo-hn"):
            thread_id = external_id  # a top-level post starts its own thread
        if draft.kind == "post":
            self.recent.setdefault(topic, deque(maxlen=40)).append(
                _Post(external_id, source, draft.lang, author.handle, draft.text, draft.title,
                      thread_id, seconds, draft.sentiment, draft.intent)
            )  # fmt: skip
        likes = min(100_000, int((rng.paretovariate(1.4) - 1.0) * (1 + author.followers**0.5 / 10)))
        return RawMention(
            source=source,
            external_id=external_id,
            text=draft.text,
            published_at=published,
            source_type=_SOURCE_TYPE[source],
            url=_url(source, author, i, draft, published),
            author=author.name,
            author_handle=_dress_handle(source, author.handle),
            title=draft.title,
            likes=likes,
            reposts=int(likes * rng.random() * 0.3),
            replies=int((rng.paretovariate(2.0) - 1.0) * (1 + likes**0.5)),
            followers=author.followers,
            reply_to=parent.external_id if parent else None,
            thread_id=thread_id,
            language=None,  # the pipeline detects the language, as for most real sources
            keep_unmatched=True,
            synthetic=True,
            extra={
                "notice": DEMO_NOTICE[draft.lang],
                "demo_topic": topic,
                "demo_sentiment": draft.sentiment,
                "demo_kind": draft.kind,
            },
        )

    # -- replies and reposts -------------------------------------------------------------

    def _derived(self, topic: str, seconds: int) -> _Draft | None:
        """A reply to or a repost of a recent post on the same topic, or None."""
        rng = self.rng
        roll = rng.random()
        # Nobody replies inside a news feed or a blog; questions draw the most answers.
        p_reply = {"question": 0.3, "news": 0.0, "review": 0.0}.get(topic, 0.1)
        if roll >= 0.05 + p_reply:
            return None
        recent = [p for p in self.recent.get(topic, ()) if seconds - p.seconds < 48 * 3600]
        if not recent:
            return None
        if roll < 0.05:
            return self._repost(rng.choice(recent))
        return self._reply(topic, rng.choice(recent))

    def _repost(self, parent: _Post) -> _Draft:
        if parent.source in ("demo-news", "demo-blog"):
            # Syndication: the same article, word for word, on another feed.
            other = self.rng.choice([s for s in _RSS if s != parent.source])
            return _Draft(parent.text, parent.lang, parent.sentiment, other, "repost", parent.title)
        text = f"RT @{parent.handle}: {parent.text}"
        return _Draft(text, parent.lang, parent.sentiment, self.rng.choice(_SOCIAL), "repost")

    def _reply(self, topic: str, parent: _Post) -> _Draft:
        rng, lang = self.rng, parent.lang
        ctx: dict[str, str] = {}
        if topic == "question" and parent.intent is not None:
            answers = next(q[3] for q in _QUESTIONS if q[0] == parent.intent)
            text, sentiment = self._fill(rng.choice(answers[lang]), lang, ctx), "neu"
            if rng.random() < 0.4:
                text = f"{rng.choice(_ANSWER_OPENERS[lang])} {text}"
            if rng.random() < 0.4:
                text = f"{text} {rng.choice(_ANSWER_CLOSERS[lang])}"
        else:
            sentiment = self._sentiment(topic)
            text = self._core(topic, sentiment, lang, ctx)
            # Agreeing or disagreeing only makes sense between two opinions.
            if "neu" not in (sentiment, parent.sentiment) and rng.random() < 0.5:
                agree = "same" if sentiment == parent.sentiment else "other"
                text = f"{rng.choice(_REPLY_OPENERS[lang][agree])} {text}"
        text = self._with_context(text, lang, ctx)
        if parent.source in _SOCIAL:
            text = f"@{parent.handle} {text}"
        return _Draft(text, lang, sentiment, parent.source, "reply", reply_to=parent)

    # -- originals -----------------------------------------------------------------------

    def _original(self, topic: str, seconds: int) -> _Draft:
        rng = self.rng
        lang = "de" if rng.random() < _DE_SHARE else "en"
        ctx: dict[str, str] = {}
        if topic == "compare" or topic == "news":
            # Kaffeeko's drop also shows where it is named next to others.
            factor = _kaffeeko_factor(self.hours - seconds / 3600)
            ctx["comp"] = _NAMES["kaffeeko" if rng.random() < 0.55 * factor else "beanbox"][0]
        if topic == "news":
            return self._news(lang, ctx)
        if topic == "review":
            return self._review(lang, ctx)
        if topic == "latteart":
            source = rng.choice(_SOCIAL)
        else:
            source = rng.choices(_SOCIAL_SOURCES, cum_weights=_SOURCE_WEIGHTS[lang])[0]
        intent = question = core = None
        if topic == "question":
            sentiment = "neu"
            intent, question, text = self._question(lang, ctx)
        else:
            sentiment = self._sentiment(topic)
            text = core = self._core(topic, sentiment, lang, ctx)
            if rng.random() < 0.3 and ":" not in core[:24]:  # no "Update: Heute gelernt: …"
                text = f"{rng.choice(_OPENERS[lang][sentiment])} {text}"
            text = self._with_context(text, lang, ctx)
            if rng.random() < 0.4:
                text = f"{text} {rng.choice(_CLOSERS[lang][sentiment])}"
        text = self._decorate(text, topic, sentiment, lang, source)
        title = None
        if source in ("demo-forum", "demo-reddit"):
            # Generic chatter has no topic title that would fit, so its first sentence serves.
            first = core.split(". ")[0].rstrip(".") if topic == "keyword" and core else None
            title = question or first or self._title(topic, lang, ctx)
        return _Draft(text, lang, sentiment, source, title=title, intent=intent)

    def _question(self, lang: str, ctx: dict[str, str]) -> tuple[str, str, str]:
        """A recurring question: its intent, the bare question, and the question as posted."""
        rng = self.rng
        intent, _w, asks, _answers = rng.choices(_QUESTIONS, cum_weights=_QUESTION_WEIGHTS)[0]
        question = text = self._fill(rng.choice(asks[lang]), lang, ctx)
        if rng.random() < 0.3:
            text = f"{rng.choice(_ASK[lang])} {text}"
        text = self._with_context(text, lang, ctx)
        if rng.random() < 0.4:
            text = f"{text} {rng.choice(_ASK_AFTER[lang])}"
        return intent, question, text

    def _news(self, lang: str, ctx: dict[str, str]) -> _Draft:
        rng = self.rng
        sentiment, title, body = rng.choice(_NEWS[lang])
        text = self._fill(body, lang, ctx)
        if rng.random() < 0.5:
            text = f"{text} {rng.choice(_NEWS_MORE[lang])}"
        source = "demo-news" if rng.random() < 0.75 else "demo-blog"
        return _Draft(text, lang, sentiment, source, title=self._fill(title, lang, ctx))

    def _review(self, lang: str, ctx: dict[str, str]) -> _Draft:
        """A long post: title, three sentences about one product, one verdict."""
        rng = self.rng
        product = "brew" if rng.random() < 0.6 else "mill"
        ctx["product"] = ctx[product] = _NAMES[product][0]
        sentiment = self._sentiment("review")
        pool = _T[product][sentiment][lang]
        sentences = [self._fill(t, lang, ctx) for t in rng.sample(pool, 3)]
        text = " ".join([*sentences, _VERDICT[lang][sentiment]])
        source = "demo-blog" if rng.random() < 0.6 else "demo-forum"
        title = self._fill(rng.choice(_TITLES[lang]["review"]), lang, ctx)
        return _Draft(text, lang, sentiment, source, title=title)

    def _with_context(self, text: str, lang: str, ctx: dict[str, str]) -> str:
        if self.rng.random() < 0.55:
            return f"{text} {self._fill(self.rng.choice(_CONTEXT[lang]), lang, ctx)}"
        return text

    def _title(self, topic: str, lang: str, ctx: dict[str, str]) -> str:
        key = "competitor" if topic in ("kaffeeko", "beanbox") else topic
        return self._fill(self.rng.choice(_TITLES[lang][key]), lang, ctx)

    def _sentiment(self, topic: str) -> str:
        if topic == "delivery":
            return "neg"
        if topic in ("delivery_praise", "latteart"):
            return "pos"
        if topic == "exclusion":
            return "neu"
        return self.rng.choices(("pos", "neu", "neg"), weights=_MIX[topic])[0]

    def _core(self, topic: str, sentiment: str, lang: str, ctx: dict[str, str]) -> str:
        key = "competitor" if topic in ("kaffeeko", "beanbox") else topic
        if key == "competitor":
            ctx.setdefault("comp", self.rng.choice(_NAMES[topic]))
        pool = [t for t in _T[key][sentiment][lang] if self.fits(_when(t))]
        return self._fill(self.rng.choice(pool), lang, ctx)

    def fits(self, when: str) -> bool:
        """Whether a phrase with this condition may be said at the current item's time."""
        hour, day = self.local.hour, self.local.weekday()
        tag_hours = HASHTAG_RISE.total_seconds() / 3600 - self.age  # since the tag began
        return {
            "always": True,
            "daytime": hour >= 9,
            "not_sunday": day != 6,
            "monday": day == 0,
            "sunday_morning": day == 6 and 7 <= hour < 14,
            "tag_day_two": tag_hours >= 24,
            "tag_since_last_night": tag_hours >= 12,
        }[when]

    def _decorate(self, text: str, topic: str, sentiment: str, lang: str, source: str) -> str:
        """Emoji and hashtags, mostly on the microblogs, where people use them."""
        rng = self.rng
        social = source in _SOCIAL
        if social and rng.random() < 0.25:
            text = f"{text} {rng.choice(_EMOJI[sentiment])}"
        if rng.random() < (0.4 if social else 0.06):
            pool_key = "delivery" if topic == "delivery" else "brand"
            if topic in ("kaffeeko", "beanbox", "keyword", "exclusion"):
                pool_key = "other"
            pool = _TAGS[pool_key][lang]
            tags = list(dict.fromkeys(rng.choice(pool) for _ in range(rng.randint(1, 2))))
            text = f"{text} {' '.join(tags)}"
        return text

    def _fill(self, template: str, lang: str, ctx: dict[str, str]) -> str:
        """Fill {slots}; a slot keeps its value within one item (title and text agree). A
        value that opens the sentence gets a capital ("Gestern Abend …", "… gestern Abend")."""

        def value(match: re.Match[str]) -> str:
            text = self._value(match.group(1), lang, ctx)
            return text[:1].upper() + text[1:] if match.start() == 0 else text

        return _SLOT.sub(value, template)

    def _value(self, name: str, lang: str, ctx: dict[str, str]) -> str:
        if name not in ctx:
            rng = self.rng
            if name == "tag":
                ctx[name] = PLANTED_HASHTAG
            elif name == "product":
                ctx[name] = _NAMES["brew" if rng.random() < 0.65 else "mill"][0]
            elif name == "comp":
                ctx[name] = rng.choice(_NAMES["kaffeeko" if rng.random() < 0.5 else "beanbox"])
            elif name in _NAMES:
                ctx[name] = rng.choice(_NAMES[name])
            elif name in _NUMBERS:
                ctx[name] = str(rng.randint(*_NUMBERS[name]))
            elif name == "month":
                ahead = rng.randint(*_MONTHS_AHEAD)
                ctx[name] = _MONTHS[lang][(self.local.month - 1 + ahead) % 12]
            elif name == "weekday":
                days = [
                    (self.local - dt.timedelta(days=d)).weekday()
                    for d in range(_DAYS_BEFORE[0], _DAYS_BEFORE[1] + 1)
                ]
                ctx[name] = _WEEKDAYS[lang][rng.choice([d for d in days if d != 6])]
            elif name == "time":
                ctx[name] = rng.choice([p for p, when in _TIMES[lang] if self.fits(when)])
            else:
                ctx[name] = rng.choice(_VOCAB[lang][name])
        return ctx[name]

    # -- authors -------------------------------------------------------------------------

    def _author(self, source: str, lang: str) -> _Author:
        rng = self.rng
        if source in _OUTLETS:
            return self.outlets[(source, rng.choice(_OUTLETS[source][lang]))]
        return rng.choices(self.people[lang], cum_weights=self.people_cum[lang])[0]


def _when(template: str) -> str:
    """The condition a template names its moment with (`_ONLY_WHEN`), or "always"."""
    return next((when for mark, when in _ONLY_WHEN.items() if mark in template), "always")


def _people(rng: random.Random, lang: str, count: int) -> list[_Author]:
    """Invented people: common first and last names, handles in the usual patterns."""
    out: list[_Author] = []
    taken: set[str] = set()
    for _ in range(count):
        first, last = rng.choice(_FIRST[lang]), rng.choice(_LAST[lang])
        f, la = _ascii(first), _ascii(last)
        handle = rng.choice(
            [f"{f}.{la}", f"{f}{la[0]}", f"{f}_{la}", f"{la}{f[0]}",
             f"{f}{rng.randint(70, 99)}", f"{f}_{rng.choice(_HANDLE_WORDS[lang])}"]
        )  # fmt: skip
        while handle in taken:
            handle = f"{handle}{rng.randint(0, 9)}"
        taken.add(handle)
        roll = rng.random()
        name = f"{first} {last}" if roll < 0.8 else f"{first} {last[0]}." if roll < 0.9 else first
        # Followers: log-normal, so most have a few hundred and a handful tens of thousands.
        out.append(_Author(name, handle, int(rng.lognormvariate(5.0, 1.7))))
    return out


def _ascii(name: str) -> str:
    return fold(name.lower().translate(_TRANSLIT))


@lru_cache(maxsize=4096)  # titles repeat a lot; folding each one again is the slow part
def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _ascii(value)).strip("-")[:60]


def _dress_handle(source: str, handle: str) -> str:
    if source == "demo-mastodon":
        return f"{handle}@social.demo.horchposten.invalid"
    if source == "demo-bluesky":
        return f"{re.sub(r'[^a-z0-9]+', '-', handle)}.bsky.demo.horchposten.invalid"
    return handle


def _url(source: str, author: _Author, i: int, draft: _Draft, when: dt.datetime) -> str:
    slug = _slug(draft.title) if draft.title else "post"
    if source == "demo-mastodon":
        return f"{URL_BASE}/mastodon/@{author.handle}/{110_000_000 + i}"
    if source == "demo-bluesky":
        return f"{URL_BASE}/bluesky/profile/{_dress_handle(source, author.handle)}/post/{i:x}"
    if source == "demo-reddit":
        sub = "kaffee" if draft.lang == "de" else "espresso"
        return f"{URL_BASE}/reddit/r/{sub}/comments/{i:x}/{slug}/"
    if source == "demo-hn":
        return f"{URL_BASE}/hn/item?id={40_000_000 + i}"
    if source == "demo-forum":
        return f"{URL_BASE}/forum/t/{slug}#post-{i}"
    section = "news" if source == "demo-news" else f"blog/{author.handle}"
    return f"{URL_BASE}/{section}/{when:%Y/%m}/{slug}-{i}"


__all__ = [
    "DELIVERY_SPIKE_BEFORE",
    "DELIVERY_SPIKE_FACTOR",
    "DEMO_NOTICE",
    "DEMO_SOURCES",
    "HASHTAG_RISE",
    "KAFFEEKO_DROP_FACTOR",
    "KAFFEEKO_DROP_SINCE",
    "PLANTED_HASHTAG",
    "URL_BASE",
    "Ingestor",
    "generate_demo",
    "seed_demo",
]
