"""`mentions`: search what was said, newest first."""

from __future__ import annotations

import json
from dataclasses import replace

from core.analysis.intent_model import parse_intent
from core.analysis.intent_rules import INTENTS
from core.clock import parse_span
from core.models import Mention
from core.reply import Action, Fact, Item, Reply, Request
from core.storage.mentions import MentionFilter, count_matching, search_mentions
from core.text import truncate
from core.trends.stems import search_prefix
from handlers.args import UsageError, json_button_value, parse
from handlers.context import Context
from handlers.export import FORMATS, export_mentions
from handlers.registry import action, command

PAGE_SIZE = 10
MAX_PAGE = 10_000  # further is no page anyone reads, and its offset would overflow INTEGER
SENTIMENTS = ("negative", "neutral", "positive")
# --sentiment in either language, as the cards write it (negativ, positiv, neutral).
SENTIMENT_WORDS = {
    "negative": "negative",
    "negativ": "negative",
    "neutral": "neutral",
    "positive": "positive",
    "positiv": "positive",
}
ECHO_LIMIT = 80  # a query longer than this is echoed shortened


@command("mentions", aliases=("m", "erwähnungen", "erwaehnungen"), order=10)
async def mentions_command(request: Request, ctx: Context) -> Reply:
    """Mentions of your watchlist, newest first, with link, author, source, sentiment and intent; --export csv|xlsx gives every match as a file that imports back.

    de: Erwähnungen deiner Watchlist, neueste zuerst, mit Link, Autor, Quelle, Stimmung und Absicht (--intent Beschwerde|Frage|Lob|Kaufinteresse|sonstiges); --export csv|xlsx liefert alle Treffer als Datei, die sich wieder importieren lässt.
    Usage: mentions [QUERY] [--since 24h|7d|30d] [--source NAME] [--sentiment negative|neutral|positive|negativ|positiv] [--intent complaint|question|praise|purchase|other] [--lang de|en] [--page N] [--export csv|xlsx]
    """
    parsed = parse(
        request.args,
        options=("since", "source", "sentiment", "intent", "lang", "page", "export"),
        choices={"lang": ("de", "en"), "export": FORMATS},
    )
    options = dict(parsed.options)
    if "sentiment" in options:
        sentiment = SENTIMENT_WORDS.get(options["sentiment"].strip().lower())
        if sentiment is None:
            raise UsageError(
                "usage.bad_choice",
                option="--sentiment",
                value=options["sentiment"],
                choices=ctx.t("mentions.sentiment_choices"),
            )
        options["sentiment"] = sentiment
    if "intent" in options:
        intent = parse_intent(options["intent"])
        if intent is None:
            raise UsageError(
                "usage.bad_choice",
                option="--intent",
                value=options["intent"],
                choices=ctx.t("intent.choices"),
            )
        options["intent"] = intent
    options["q"] = parsed.text()
    if fmt := options.pop("export", ""):
        # The whole result set as a file (every page), with the columns the import reads.
        return await export_mentions(ctx, _filter(ctx, options), fmt, _describe(ctx, options))
    return await _page(ctx, options)


@action("mentions.page")
async def mentions_page(request: Request, ctx: Context) -> Reply:
    """The next page of a mentions search (the button under the list)."""
    return await _page(ctx, json_button_value(request.action_value))


def _filter(ctx: Context, options: dict[str, str]) -> MentionFilter:
    since = None
    if span_text := options.get("since"):
        span = parse_span(span_text)
        if span is None:
            raise UsageError("mentions.bad_since", value=span_text)
        since = ctx.now() - span
    return MentionFilter(
        query=options.get("q") or None,
        since=since,
        source=options.get("source") or None,
        sentiment=options.get("sentiment") or None,
        language=options.get("lang") or None,
        intent=parse_intent(options.get("intent") or "") or None,
    )


async def _page(ctx: Context, options: dict[str, str]) -> Reply:
    t = ctx.t
    flt = _filter(ctx, options)
    try:
        page = max(1, int(options.get("page") or 1))
        if page > MAX_PAGE:
            raise ValueError(page)
    except ValueError as exc:
        raise UsageError("mentions.bad_page", value=options.get("page", "")) from exc
    asked = flt.query
    async with ctx.sessions() as session:
        rows, more = await search_mentions(
            session=session, flt=flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        forms = word_forms(asked) if asked and not rows else None
        if forms is not None:
            # Nothing for the word as written: its other forms ("Nachhaltigkeit" finds
            # "nachhaltig", as `assess` counts it), said in a footnote.
            found, further = await search_mentions(
                session=session,
                flt=replace(flt, query=forms),
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
            )
            if found:
                flt, options = replace(flt, query=forms), {**options, "q": forms}
                rows, more = found, further
            else:
                forms = None  # nothing in any form: the answer names the words as typed
        total = await count_matching(session=session, flt=flt) if rows else 0
    # The header names the words as typed; the footnote says which form was searched.
    described = _describe(ctx, {**options, "q": asked} if forms and asked else options)
    if not rows:
        return Reply(title=t("mentions.title"), sections=[t("mentions.none", filters=described)])
    reply = Reply(
        title=t("mentions.title"),
        sections=[t("mentions.header", count=total, filters=described, page=page)],
        items=[mention_item(ctx, m) for m in rows],
    )
    if forms is not None:
        reply.footnotes.append(
            t("mentions.word_forms", query=truncate(asked or "", ECHO_LIMIT), forms=forms)
        )
    if any(m.synthetic for m in rows):
        reply.footnotes.append(t("render.synthetic"))
    if more:
        next_options = {**options, "page": str(page + 1)}
        reply.actions.append(
            Action("mentions.page", t("mentions.more"), json.dumps(next_options, sort_keys=True))
        )
    return reply


def word_forms(query: str) -> str | None:
    """The query with each plain word cut to its stem ("Nachhaltigkeit" → "nachhaltig",
    which search reads as a prefix); phrases, exclusions and prefixes stay as typed. None
    when no word has a shorter form."""
    out, changed = [], False
    for token in query.split():
        if token.startswith(("-", '"')) or token.endswith(("*", '"')):
            out.append(token)
            continue
        stem = search_prefix(token)
        changed = changed or stem != token.lower()
        out.append(stem)
    return " ".join(out) if changed else None


def _describe(ctx: Context, options: dict[str, str]) -> str:
    t = ctx.t
    parts = []
    if options.get("q"):
        parts.append(t("mentions.filter.query", query=truncate(options["q"], ECHO_LIMIT)))
    if options.get("since"):
        parts.append(t("mentions.filter.since", since=options["since"]))
    if options.get("source"):
        parts.append(t("mentions.filter.source", source=truncate(options["source"], ECHO_LIMIT)))
    if options.get("sentiment"):
        parts.append(t(f"sentiment.{options['sentiment']}"))
    if intent := parse_intent(options.get("intent") or ""):
        parts.append(t("intent.filter", intent=t(f"intent.name.{intent}")))
    if options.get("lang"):
        parts.append(t("mentions.filter.lang", lang=options["lang"]))
    return ", ".join(parts) if parts else t("mentions.filter.all")


def mention_item(ctx: Context, m: Mention, *, text_limit: int = 280) -> Item:
    """A stored mention as a list item, with a button to draft a reply."""
    t = ctx.t
    facts = []
    if m.intent in INTENTS:
        facts.append(Fact(t("intent.fact"), t(f"intent.name.{m.intent}")))
    if m.reach:
        facts.append(Fact(t("mentions.reach"), ctx.t.number(m.reach)))
    if m.matched_terms:
        facts.append(Fact(t("mentions.terms"), m.matched_terms.replace("|", ", ")))
    sentiment = m.sentiment if m.sentiment in SENTIMENTS else None
    return Item(
        title=truncate(m.title, 200) if m.title else "",
        text=truncate(m.text, text_limit),
        url=m.url,
        author=m.author or m.author_handle,
        source=m.source,
        time=m.published_at,
        sentiment=sentiment,  # type: ignore[arg-type]
        facts=tuple(facts),
        actions=(Action("draft.create", t("mentions.draft_button"), str(m.id)),),
    )
