"""Surface signs of a mention's intent (German and English): the rule half of the intent model.

Each sign is a phrase list or pattern that a reader can check and extend: complaint markers
("immer noch nicht", "still waiting"), question openers, praise and buying phrases, press
wording. `signals` turns a text into a short vector of these signs for the trained model
(``intent.py``), which weighs them together with a sentence embedding; `rule_intent` is the
same signs as a plain decision list, kept as the baseline the model has to beat and as the
answer when the model cannot be loaded.
"""

from __future__ import annotations

import math
import re
from functools import cache

from core.analysis.sentiment import CueLexicon

INTENTS = ("complaint", "question", "praise", "purchase", "other")

_COMPLAINT = {
    "de": (
        r"immer noch (?:nicht|kein\w*)",
        r"noch immer (?:nicht|kein\w*)",
        r"schon wieder",
        r"zum (?:zweiten|dritten|x-ten) mal",
        r"reklamation",
        r"beschwerde",
        r"funktioniert (?:nicht|nie)",
        r"geht nicht mehr",
        r"kaputt",
        r"defekt",
        r"danke für (?:nichts|nix)",
        r"nie wieder",
        r"seit (?:\d+|zwei|drei|vier|fünf|sechs|einer|über einer) (?:tag|woche|monat|stunde|minute)\w*",
        r"keine antwort",
        r"nicht angekommen",
        r"nicht erreichbar",
        r"frechheit",
        r"zumutung",
        r"abzocke",
        r"erstattung",
        r"geld zurück",
        r"verspätung",
        r"fällt \w* ?aus",
        r"ausgefallen",
        r"abgestürzt",
        r"stürzt \w* ?ab",
        r"warteschleife",
        r"unfassbar",
        r"lächerlich",
        r"nervt",
        r"ärgerlich",
        r"enttäusch\w*",
        r"gelöscht",
        r"verloren",
        r"falsche[rn]?",
        r"doppelt abgebucht",
        r"abgebucht",
        r"gesperrt",
        r"keiner da",
        r"niemand",
        r"vertröstet",
        r"storniert",
        r"kein (?:netz|internet|empfang|warmes)",
        r"mahnung",
        r"wo bleibt",
        r"was soll das",
        r"geht's noch|gehts noch",
        r"echt jetzt",
        r"🙄|🤬|😤|😡",
    ),
    "en": (
        r"still (?:waiting|not|no|hasn't|haven't|isn't|doesn't)",
        r"\bagain\b",
        r"(?:second|third|fourth) time",
        r"broken?\b",
        r"broke\b",
        r"doesn'?t work",
        r"does not work",
        r"not working",
        r"stopped working",
        r"never (?:arrived|received|came|got)",
        r"no (?:response|reply|answer|apology|refund|signal|internet)",
        r"refund",
        r"complain\w*",
        r"worst",
        r"never again",
        r"unacceptable",
        r"rip-?off",
        r"thanks for nothing",
        r"on hold",
        r"for (?:\d+|two|three|four|five|six|ten) (?:days|weeks|months|hours|mins|minutes)",
        r"since (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|last)",
        r"cancel+ed",
        r"delayed?\b",
        r"crash\w*",
        r"wiped",
        r"vanished",
        r"gone\b",
        r"charged (?:twice|me)",
        r"wrong",
        r"faulty",
        r"useless",
        r"disgusting",
        r"ridiculous",
        r"unreal\.",
        r"nobody",
        r"won'?t (?:pay|answer|reply|refund|pick up|honou?r)",
        r"refus\w+",
        r"what on earth",
        r"seriously\?",
        r"are you having a laugh",
        r"🙄|🤬|😤|😡",
    ),
}

# What a complaint is about: a negative text naming one of these is a complaint rather than,
# say, sadness about the weather.
_SERVICE = {
    "de": (
        r"service",
        r"kundendienst",
        r"hotline",
        r"support",
        r"liefer\w*",
        r"geliefert",
        r"paket",
        r"bestell\w*",
        r"zustell\w*",
        r"rechnung",
        r"vertrag",
        r"zug\b",
        r"bahn",
        r"flug",
        r"ticket",
        r"preis",
        r"app\b",
        r"update",
        r"produkt",
        r"gerät",
        r"filiale",
        r"mitarbeiter",
        r"abo\b",
        r"konto",
        r"router",
        r"netz",
        r"termin",
        r"rücksendung|retoure",
        r"garantie",
    ),
    "en": (
        r"service",
        r"support",
        r"helpdesk",
        r"deliver\w*",
        r"package",
        r"parcel",
        r"order",
        r"shipping",
        r"invoice",
        r"bill\b",
        r"account",
        r"train",
        r"flight",
        r"ticket",
        r"price",
        r"app\b",
        r"update",
        r"product",
        r"device",
        r"store",
        r"staff",
        r"subscription",
        r"plan\b",
        r"router",
        r"network",
        r"appointment",
        r"return",
        r"warranty",
    ),
}

_PRAISE = {
    "de": (
        r"danke\b",
        r"vielen dank",
        r"super\b",
        r"toll",
        r"klasse",
        r"großartig",
        r"lob\b",
        r"liebe (?:die|den|das|es)\b",
        r"\btop\b",
        r"respekt",
        r"begeistert",
        r"beste[nrs]?\b",
        r"zufrieden",
        r"hammer",
        r"traum",
        r"spitze",
        r"perfekt",
        r"gold wert",
        r"so geht",
        r"so macht man",
        r"gerne wieder",
        r"empfehlen",
        r"❤️|😍|🙌|👏|🥹|🎉",
    ),
    "en": (
        r"\blove\b",
        r"thank",
        r"cheers",
        r"great job",
        r"well done",
        r"awesome",
        r"amazing",
        r"brilliant",
        r"kudos",
        r"respect",
        r"shout ?out",
        r"best\b",
        r"impressed",
        r"happy",
        r"perfect",
        r"legend",
        r"dream\b",
        r"that's how",
        r"worth every",
        r"will be back",
        r"highly recommend",
        r"❤️|😍|🙌|👏|🥹|🎉",
    ),
}

_PURCHASE = {
    "de": (
        r"lohnt (?:sich|es sich)",
        r"empfehlungen?\?",
        r"(?:könnt|würdet) ihr (?:mir )?\w* ?empfehlen",
        r"empfiehlt",
        r"überlege",
        r"\bkaufen\b",
        r"kauf(?:e)? ich",
        r"hol(?:e)? ich mir",
        r"mir \w* ?(?:holen|gönnen|kaufen|bestellen)",
        r"\bbestellen\b",
        r"vorbestell\w*",
        r"gutschein",
        r"rabatt",
        r"im angebot",
        r"reduziert",
        r"angebot",
        r"was kostet",
        r"wie ?viel kostet",
        r"\bkostet\b",
        r"neukunden",
        r"wieder (?:lieferbar|da|verfügbar)",
        r"such(?:e)? (?:ein|eine|einen|gebraucht)",
        r"gesucht",
        r"oder lieber",
        r"wechseln",
        r"abschließen",
        r"tipps?\?",
        r"geschenk",
        r"budget",
        r"bis \d+ ?(?:€|euro)",
        r"welche[rsn]? \w+ (?:würdet|soll|sollte|nehmen)",
    ),
    "en": (
        r"worth (?:it|the)",
        r"recommend(?:ations?)?\?",
        r"would you (?:recommend|buy|go for|get)",
        r"which (?:one|would|should|plan)",
        r"thinking (?:of|about) (?:getting|buying|switching|going)",
        r"considering",
        r"looking for (?:a|an|cheap|decent)",
        r"shopping for",
        r"\bbuy\b",
        r"buying",
        r"purchase",
        r"pre-?order",
        r"discount",
        r"voucher",
        r"\bcode\b",
        r"\bsale\b",
        r"\bdeal\b",
        r"how much (?:is|does|are)",
        r"\bcost\b",
        r"in stock",
        r"new customer",
        r"welcome bonus",
        r"sign up",
        r"switch to",
        r"treating myself",
        r"\bgift\b",
        r"budget",
        r"under [£$€]\d+",
        r"should i get",
        r"where can i (?:buy|get|try)",
        r"fancy the",
    ),
}

_QUESTION_START = {
    "de": (
        r"(?:wie|wann|wo|woher|wohin|warum|wieso|weshalb|was|wer|wen|wem|welche[rsnm]?|kann|"
        r"können|könnt|darf|gibt es|gibt's|hat|habt|ist|sind|muss|müssen|brauche|bekomme|"
        r"liefert|deckt|gilt|läuft|lässt|funktioniert|reicht|wird|weiß|bis wann|ab wann)\b"
    ),
    "en": (
        r"(?:how|when|where|why|what|who|which|can|could|does|do|is|are|will|should|"
        r"has anyone|anyone know|any idea|wondering)\b"
    ),
}
_QUESTION_ANYWHERE = {
    "de": (
        r"weiß (?:jemand|wer)",
        r"hat jemand",
        r"kennt jemand",
        r"kann mir (?:jemand|mal jemand)",
        r"frage(?: an| zum| zur)?\b",
        r"ich bräuchte",
        r"hilfe:",
        r"\?",
    ),
    "en": (
        r"does anyone",
        r"anyone know",
        r"can anyone",
        r"any idea",
        r"quick q",
        r"question",
        r"need a bit of help",
        r"\?",
    ),
}
# Reported speech and news wording: "…, meldet die Lokalzeitung", "Company to open …".
_NEWS = {
    "de": (
        r"(?:meldet|berichtet|berichten|teilt \w+ mit|laut \w+|sagt der|sagen die)\b",
        r"pressemitteilung",
        r"\b(?:übernimmt|eröffnet|startet|stellt \w+ vor|expandiert|erhält|ernennt)\b",
    ),
    "en": (
        r"(?:reports?|says|said|according to|announced)\b",
        r"press release",
        r"\bto (?:open|close|launch|expand|partner|raise|change|show|hire|invest|be bought)\b",
        r"\b(?:acquires|launches|appoints|receives|wins|recalls|expands)\b",
    ),
}
_SARCASM = re.compile(r"🙃|danke für (?:nichts|nix)|thanks for nothing|\bbravo\b|\bwell done\b.*\?|👏👏")
_HANDLE_RE = re.compile(r"^(?:@\w+\s*)+")
_SECOND_PERSON = re.compile(r"\b(?:ihr|euch|eure[rnms]?|euer|you|your|you're|u)\b")
_FIRST_PERSON = re.compile(r"\b(?:ich|mir|mich|mein\w*|wir|uns|unser\w*|i|i'm|i've|me|my|we|our)\b")


def _compile(groups: dict[str, tuple[str, ...]]) -> dict[str, re.Pattern[str]]:
    return {lang: re.compile("|".join(f"(?:{p})" for p in ps)) for lang, ps in groups.items()}


_C = _compile(_COMPLAINT)
_S = _compile(_SERVICE)
_P = _compile(_PRAISE)
_B = _compile(_PURCHASE)
_QA = _compile(_QUESTION_ANYWHERE)
_N = _compile(_NEWS)
_QS = {lang: re.compile("^" + p) for lang, p in _QUESTION_START.items()}


@cache
def _lexicon() -> CueLexicon:
    return CueLexicon.load()


def _langs(language: str | None) -> tuple[str, ...]:
    return (language,) if language in ("de", "en") else ("de", "en")


def _count(patterns: dict[str, re.Pattern[str]], text: str, langs: tuple[str, ...]) -> int:
    return sum(len(patterns[lang].findall(text)) for lang in langs)


SIGNAL_NAMES = (
    "complaint",
    "service",
    "praise",
    "purchase",
    "question_mark",
    "question_start",
    "question_phrase",
    "news",
    "positive",
    "negative",
    "sarcasm",
    "second_person",
    "first_person",
    "exclamation",
    "length",
    *(f"rule_{intent}" for intent in INTENTS),
)
N_SIGNALS = len(SIGNAL_NAMES)


def normalise(text: str) -> str:
    """Lower-cased, whitespace-collapsed text without the leading @-handles of a reply."""
    return _HANDLE_RE.sub("", " ".join(text.lower().split()))


def signals(text: str, language: str | None) -> list[float]:
    """The surface signs of one text, in SIGNAL_NAMES order (counts squashed by log1p), and
    the decision list's verdict one-hot: it encodes how the signs combine ("a complaint marker
    unless praise outweighs it"), which a linear model over the signs cannot express."""
    found = _signs(text, language)
    verdict = _decide(text, found)
    return [*found, *(float(verdict == intent) for intent in INTENTS)]


def _signs(text: str, language: str | None) -> list[float]:
    body = normalise(text)
    langs = _langs(language)
    pos, neg, _ = _lexicon().hits(body, language if language in ("de", "en") else None)
    return [
        math.log1p(_count(_C, body, langs)),
        math.log1p(_count(_S, body, langs)),
        math.log1p(_count(_P, body, langs)),
        math.log1p(_count(_B, body, langs)),
        float("?" in body),
        float(any(_QS[lang].match(body) for lang in langs)),
        float(any(_QA[lang].search(body) for lang in langs)),
        math.log1p(_count(_N, body, langs)),
        math.log1p(pos),
        math.log1p(neg),
        float(bool(_SARCASM.search(body))),
        float(bool(_SECOND_PERSON.search(body))),
        float(bool(_FIRST_PERSON.search(body))),
        min(body.count("!"), 3) / 3,
        math.log1p(len(body)) / math.log(500.0),
    ]


def rule_intent(text: str, language: str | None) -> str:
    """The intent from the surface signs alone (see `_decide`)."""
    return _decide(text, _signs(text, language))


def _decide(text: str, signs: list[float]) -> str:
    """The intent from the surface signs, as an ordered decision list.

    A complaint marker wins over a question ("Warum ist mein Paket immer noch nicht da?" wants
    an apology, not an FAQ link); buying words win over a plain question ("Was kostet der
    Familientarif?" is a sales lead); a question wins over praise.
    """
    (
        complaint,
        service,
        praise,
        purchase,
        qmark,
        qstart,
        qphrase,
        news,
        pos,
        neg,
        sarcasm,
        *_,
    ) = signs
    if not normalise(text):
        return "other"
    if news and not qmark and complaint == 0:
        return "other"
    if complaint and (neg >= pos or sarcasm or not praise):
        return "complaint"
    if neg > pos and service:
        return "complaint"
    if purchase:
        return "purchase"
    if qmark or qstart or qphrase:
        return "question"
    if praise or pos > neg:
        return "praise"
    return "other"
