"""The draft as a Reply: the card in the thread, always showing the current state.

Plain data only (core.reply): every platform renders it and escapes every field, so the
draft's text, the author's name and the model's output never become markup or pings.
"""

from __future__ import annotations

import datetime as dt

from core.drafts import states
from core.drafts.checks import Finding
from core.drafts.limits import length, limit_for
from core.format import format_time
from core.i18n import Translator
from core.models import Mention
from core.models_drafts import Draft
from core.reply import Action, Fact, Item, Reply
from core.text import truncate


def ref(draft: Draft) -> str:
    """The button value that names the draft at its current version: `ID:VERSION`."""
    return f"{draft.id}:{draft.version}"


def platform_name(t: Translator, target: str) -> str:
    key = f"drafts.platform.{target}"
    name = t(key)
    return target if name == key else name


def state_line(t: Translator, draft: Draft, zone: str) -> str:
    """ "Approved by Anna at 26.11.2026 10:42" and the like, in the reader's language."""
    loc = t.locale

    def at(value: dt.datetime | None) -> str:
        return format_time(value, loc, zone) if value is not None else ""

    state = draft.state
    if state == states.PROPOSED:
        return t("drafts.state.proposed", who=draft.requested_by_name, at=at(draft.created_at))
    if state == states.EDITED:
        return t("drafts.state.edited", who=draft.edited_by_name or "", at=at(draft.edited_at))
    if state == states.APPROVED:
        who, when = draft.approved_by_name or "", at(draft.approved_at)
        if not draft.last_error:
            return t("drafts.state.approved", who=who, at=when)
        if draft.next_attempt_at is None:  # a permanent error: only a person can retry
            return t("drafts.state.publish_stopped", who=who, at=when)
        return t("drafts.state.publish_failed", who=who, at=when)
    if state == states.PUBLISHED:
        return t(
            "drafts.state.published",
            who=draft.approved_by_name or "",
            at=at(draft.published_at),
        )
    if state == states.READY_TO_POST:
        return t(
            "drafts.state.ready_to_post", who=draft.approved_by_name or "", at=at(draft.approved_at)
        )
    if state == states.POSTED:
        return t("drafts.state.posted", who=draft.posted_by_name or "", at=at(draft.posted_at))
    return t("drafts.state.rejected", who=draft.rejected_by_name or "", at=at(draft.rejected_at))


def finding_text(t: Translator, finding: Finding) -> str:
    values = finding.as_dict()
    if "target" in values:
        values["target"] = platform_name(t, values["target"])
    return t(f"drafts.check.{finding.code}", **values)


def draft_card(
    t: Translator,
    draft: Draft,
    mention: Mention | None,
    findings: list[Finding],
    *,
    zone: str,
    variants: list[str] | None = None,
    note: str | None = None,
) -> Reply:
    """The draft's card: its text, state, checks, the mention it answers, and the buttons."""
    limit = limit_for(draft.target)
    facts = [
        Fact(t("drafts.fact.state"), state_line(t, draft, zone)),
        Fact(t("drafts.fact.target"), platform_name(t, draft.target)),
        Fact(t("intent.fact"), t(f"intent.name.{draft.intent}")),
        Fact(
            t("drafts.fact.length"),
            t(
                "drafts.length",
                length=length(draft.text, draft.target),
                maximum=limit.maximum,
            ),
        ),
        Fact(
            t("drafts.fact.written_by"),
            t("drafts.origin.model", model=draft.model or "?")
            if draft.origin == "model"
            else t("drafts.origin.offline"),
        ),
    ]
    if draft.state == states.PUBLISHED and draft.published_url:
        facts.append(Fact(t("drafts.fact.link"), draft.published_url))
    if draft.state == states.READY_TO_POST and mention is not None and mention.url:
        facts.append(Fact(t("drafts.fact.original"), mention.url))
    if draft.state == states.APPROVED and draft.last_error:
        facts.append(Fact(t("drafts.fact.error"), truncate(draft.last_error, 300)))
    sections = [draft.text]
    if note:
        sections.insert(0, note)
    if findings and draft.state in states.OPEN:
        sections.append(t("drafts.checks_header"))
        sections += ["⚠ " + finding_text(t, f) for f in findings]
    items = [mention_quote(t, mention)] if mention is not None else []
    options = variants or []
    if draft.state in states.OPEN and len(options) > 1:
        for n, text in enumerate(options, start=1):
            if text != draft.text:
                items.append(Item(title=t("drafts.variant", n=n), text=text))
    footnotes = []
    if draft.origin != "model":
        footnotes.append(t("drafts.offline_note"))
    footnotes.append(t("drafts.footer", id=draft.id))
    return Reply(
        title=t("drafts.card_title", id=draft.id, target=platform_name(t, draft.target)),
        sections=sections,
        facts=facts,
        items=items,
        actions=actions_for(t, draft, mention, options),
        footnotes=footnotes,
        in_thread=True,
    )


def mention_quote(t: Translator, mention: Mention) -> Item:
    """The mention the draft answers, quoted (its text is outside text: plain, escaped)."""
    return Item(
        title=t("drafts.in_reply_to"),
        text=truncate(mention.text, 500),
        url=mention.url,
        author=mention.author or mention.author_handle,
        source=mention.source,
        time=mention.published_at,
    )


def actions_for(
    t: Translator, draft: Draft, mention: Mention | None, variants: list[str]
) -> list[Action]:
    """The buttons the draft's state allows."""
    if draft.state in states.OPEN:
        out = [
            Action("draft.approve", t("drafts.button.approve"), ref(draft), "primary"),
            Action("draft.edit", t("drafts.button.edit"), ref(draft)),
            Action("draft.reject", t("drafts.button.reject"), ref(draft), "danger"),
        ]
        for n, text in enumerate(variants, start=1):
            if text != draft.text:
                out.append(Action("draft.pick", t("drafts.button.pick", n=n), f"{ref(draft)}:{n}"))
        return out
    if draft.state == states.APPROVED:
        return [Action("draft.retry", t("drafts.button.retry_publish"), f"publish:{draft.id}")]
    if draft.state == states.READY_TO_POST:
        return [Action("draft.posted", t("drafts.button.posted"), str(draft.id), "primary")]
    return []


def list_item(t: Translator, draft: Draft, mention: Mention | None, zone: str) -> Item:
    """A draft as one line of `drafts`: state, platform, text, and what to do next."""
    return Item(
        title=t("drafts.list_title", id=draft.id, target=platform_name(t, draft.target)),
        text=truncate(draft.text, 280),
        url=draft.published_url or (mention.url if mention else None),
        author=(mention.author or mention.author_handle) if mention else None,
        time=draft.updated_at,
        facts=(Fact(t("drafts.fact.state"), state_line(t, draft, zone)),),
        # The card opens in the thread; its buttons act there, not on this list.
        actions=(Action("draft.show", t("drafts.button.show"), str(draft.id)),),
    )
