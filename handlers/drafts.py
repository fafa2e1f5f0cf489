"""`draft` and `drafts`, and the buttons on a draft card: approve, edit, save, reject, retry,
posted, pick a variant.

The handlers only translate: a request into a call of core.drafts.DraftService, its outcome
into a Reply. Button answers replace the card they came from (`replace=True`), so the
message in the thread always shows the draft's current state; refusals go only to the one
who clicked (`ephemeral=True`).
"""

from __future__ import annotations

from dataclasses import replace

from core.drafts import states
from core.drafts.service import DraftService, Outcome, variants_of
from core.drafts.view import draft_card, finding_text, list_item, ref
from core.reply import Action, Conversation, Input, Reply, Request
from handlers.args import UsageError, is_id, parse
from handlers.context import Context, Services
from handlers.registry import action, command

LIST_KINDS = ("pending", "mine", "all")
# Slack's modal text input takes at most 3,000 characters; LinkedIn's limit is the same.
EDIT_MAX = 3000


def service_for(services: Services) -> DraftService:
    """The draft flow over the process's database, model and publishers."""
    return DraftService(
        sessions=services.sessions,
        workspace=services.workspace,
        llm=services.llm,
        publishers=services.publishers,
        clock=services.clock,
        owner=services.instance,
    )


def service(ctx: Context) -> DraftService:
    return service_for(ctx.services)


@command("draft", aliases=("entwurf", "entwirf"), order=40)
async def draft_command(request: Request, ctx: Context) -> Reply:
    """Draft a reply to a mention; a person approves it in the thread before it goes out.

    de: Entwirft eine Antwort auf eine Erwähnung; ein Mensch gibt sie im Thread frei, bevor sie rausgeht.
    Usage: draft ID|URL
    """
    parsed = parse(request.args, max_positional=1)
    if not parsed.positional:
        raise UsageError("drafts.usage_mention")
    return await _create(request, ctx, parsed.positional[0])


@command("drafts", aliases=("entwürfe", "entwuerfe"), order=41)
async def drafts_command(request: Request, ctx: Context) -> Reply:
    """Reply drafts: those waiting (pending, the default), yours (mine) or all.

    de: Antwortentwürfe: die wartenden (pending, Standard), deine (mine) oder alle (all).
    Usage: drafts [pending|mine|all]
    """
    parsed = parse(request.args, max_positional=1)
    kind = (parsed.positional[0] if parsed.positional else "pending").lower()
    aliases = {"offen": "pending", "meine": "mine", "alle": "all"}
    kind = aliases.get(kind, kind)
    if kind not in LIST_KINDS:
        raise UsageError("drafts.bad_kind", value=kind, choices="|".join(LIST_KINDS))
    t = ctx.t
    rows, total = await service(ctx).listing(kind, request.actor)
    kind_name = t(f"drafts.kind.{kind}")
    if not rows:
        return Reply(title=t("drafts.list_heading"), sections=[t("drafts.none", kind=kind_name)])
    zone = ctx.workspace.schedules.timezone
    reply = Reply(
        title=t("drafts.list_heading"),
        sections=[t("drafts.list_header", kind=kind_name, shown=len(rows), total=total)],
        items=[list_item(t, d, m, zone) for d, m in rows],
    )
    return reply


@action("draft.create")
async def draft_create(request: Request, ctx: Context) -> Reply:
    """The "Draft reply" button on a mention, alert or brief item (value: the mention id)."""
    return await _create(request, ctx, _value(request))


@action("draft.show")
async def draft_show(request: Request, ctx: Context) -> Reply:
    """Open a draft's card in the thread (the button in `drafts`)."""
    draft_id, _ = _ref(request)
    return _card(ctx, await service(ctx).outcome("shown", draft_id))


@action("draft.cancel")
async def draft_cancel(request: Request, ctx: Context) -> Reply:
    """Leave the edit form without saving: the card again."""
    draft_id, _ = _ref(request)
    return _card(ctx, await service(ctx).outcome("shown", draft_id), replace=True)


@action("draft.approve")
async def draft_approve(request: Request, ctx: Context) -> Reply:
    """Approve (approvers only; four-eyes: not your own); publishes where the platform allows."""
    draft_id, version = _ref(request)
    outcome = await service(ctx).approve(draft_id=draft_id, version=version, actor=request.actor)
    return _answer(ctx, outcome)


@action("draft.edit")
async def draft_edit(request: Request, ctx: Context) -> Reply:
    """The edit form: the text in a field; its first button saves (Slack modal, Teams card)."""
    draft_id, _ = _ref(request)
    outcome = await service(ctx).outcome("shown", draft_id)
    draft = outcome.draft
    if draft is None:
        return _not_found(ctx)
    if draft.state not in states.OPEN:
        return _card(ctx, outcome, replace=True, note=ctx.t("drafts.note.closed"))
    t = ctx.t
    sections = [t("drafts.edit_hint")]
    others = [v for v in variants_of(draft) if v != draft.text]
    sections += [t("drafts.edit_variant", text=v) for v in others]
    return Reply(
        title=t("drafts.edit_title", id=draft.id),
        sections=sections,
        inputs=[
            Input(
                "text",
                t("drafts.edit_label"),
                value=draft.text,
                multiline=True,
                max_length=EDIT_MAX,
            )
        ],
        actions=[
            Action("draft.save", t("drafts.button.save"), ref(draft), "primary"),
            Action("draft.cancel", t("drafts.button.cancel"), str(draft.id)),
        ],
        replace=True,
    )


@action("draft.save")
async def draft_save(request: Request, ctx: Context) -> Reply:
    """Save the edit form's text (form field `text`) as the draft's new text."""
    draft_id, version = _ref(request)
    text = request.form.get("text", "")
    if len(text) > EDIT_MAX * 4:
        raise UsageError("drafts.too_long_input")
    outcome = await service(ctx).edit(
        draft_id=draft_id, version=version, text=text, actor=request.actor
    )
    return _answer(ctx, outcome)


@action("draft.pick")
async def draft_pick(request: Request, ctx: Context) -> Reply:
    """Use another offered variant as the draft's text (value: ID:VERSION:N)."""
    parts = _value(request).split(":")
    if len(parts) != 3 or not all(is_id(p) for p in parts):
        raise UsageError("errors.bad_action_value")
    outcome = await service(ctx).pick(
        draft_id=int(parts[0]),
        version=int(parts[1]),
        index=int(parts[2]) - 1,
        actor=request.actor,
    )
    return _answer(ctx, outcome)


@action("draft.reject")
async def draft_reject(request: Request, ctx: Context) -> Reply:
    """Reject the draft (approvers, or the requester withdrawing it)."""
    draft_id, _ = _ref(request)
    return _answer(ctx, await service(ctx).reject(draft_id=draft_id, actor=request.actor))


@action("draft.posted")
async def draft_posted(request: Request, ctx: Context) -> Reply:
    """Record that you posted a ready-to-post reply on the platform by hand."""
    draft_id, _ = _ref(request)
    return _answer(ctx, await service(ctx).mark_posted(draft_id=draft_id, actor=request.actor))


@action("draft.retry")
async def draft_retry(request: Request, ctx: Context) -> Reply:
    """Try again: drafting after a model failure (mention:ID) or publishing (publish:ID)."""
    kind, _, number = _value(request).partition(":")
    if not is_id(number) or kind not in ("mention", "publish"):
        raise UsageError("errors.bad_action_value")
    if kind == "mention":
        reply = await _create(request, ctx, number)
        reply.replace = True
        return reply
    outcome = await service(ctx).retry_publish(draft_id=int(number), actor=request.actor)
    return _answer(ctx, outcome)


# ----- helpers -------------------------------------------------------------------------


async def _create(request: Request, ctx: Context, mention_ref: str) -> Reply:
    t = ctx.t
    outcome = await service(ctx).create(
        mention_ref=mention_ref, actor=request.actor, conversation=_thread_of(request)
    )
    if outcome.status == "not_found":
        return Reply(
            sections=[t("drafts.mention_not_found", ref=mention_ref)], ephemeral=True, error=True
        )
    if outcome.status == "model_error":
        mention_id = outcome.mention.id if outcome.mention else mention_ref
        return Reply(
            title=t("drafts.model_failed_title"),
            sections=[t(f"drafts.model_error.{outcome.reason}"), t("drafts.model_failed_hint")],
            actions=[
                Action("draft.retry", t("drafts.button.retry"), f"mention:{mention_id}", "primary")
            ],
            in_thread=True,
            error=True,
        )
    note = t("drafts.note.exists") if outcome.status == "exists" else None
    return _card(ctx, outcome, note=note)


def _answer(ctx: Context, outcome: Outcome) -> Reply:
    """A button's outcome: a refusal only the clicker sees, or the card's current state."""
    t = ctx.t
    if outcome.status == "not_found" or outcome.draft is None:
        return _not_found(ctx)
    required = ctx.workspace.approvers.required
    if outcome.status == "refused" and outcome.reason == "approved_already":
        left = max(required - outcome.approvals, 0)
        return Reply(sections=[t("drafts.refused.approved_already", count=left)], ephemeral=True)
    if outcome.status == "refused":
        key = (
            "drafts.refused.four_eyes"
            if outcome.reason == "four_eyes"
            else ("drafts.refused.not_approver")
        )
        return Reply(sections=[t(key)], ephemeral=True)
    if outcome.status == "approval_noted":
        noted = t(
            "drafts.note.approval_noted",
            approved=outcome.approvals,
            required=required,
            count=required - outcome.approvals,
        )
        return _card(ctx, outcome, replace=True, note=noted)
    if outcome.status == "blocked":
        lines = [t("drafts.blocked")]
        lines += [finding_text(t, f) for f in outcome.findings if f.blocks]
        return Reply(sections=lines, ephemeral=True, error=True)
    if outcome.status == "invalid":
        key = "drafts.invalid.empty" if outcome.reason == "empty" else "drafts.invalid.variant"
        return Reply(sections=[t(key)], ephemeral=True, error=True)
    notes = {
        "stale": "drafts.note.stale",
        "closed": "drafts.note.closed",
        "busy": "drafts.note.busy",
        "publish_failed": "drafts.note.publish_failed",
    }
    note = t(notes[outcome.status]) if outcome.status in notes else None
    return _card(ctx, outcome, replace=True, note=note)


def _card(
    ctx: Context, outcome: Outcome, *, replace: bool = False, note: str | None = None
) -> Reply:
    draft = outcome.draft
    if draft is None:
        return _not_found(ctx)
    reply = draft_card(
        ctx.t,
        draft,
        outcome.mention,
        outcome.findings,
        zone=ctx.workspace.schedules.timezone,
        variants=variants_of(draft),
        note=note,
    )
    reply.replace = replace
    return reply


def _thread_of(request: Request) -> Conversation:
    """Where the card lives: the request's thread, else the thread of the clicked message.

    Later news about the draft (a publication completed after a restart) goes there. A
    message reference is the message id (Teams) or `CHANNEL:TS` (Slack).
    """
    conversation = request.conversation
    if conversation.thread_id or not request.message_ref:
        return conversation
    ref = request.message_ref
    prefix = f"{conversation.id}:"
    thread = ref[len(prefix) :] if ref.startswith(prefix) else ref
    return replace(conversation, thread_id=thread)


def _not_found(ctx: Context) -> Reply:
    return Reply(sections=[ctx.t("drafts.not_found")], ephemeral=True, error=True)


def _value(request: Request) -> str:
    value = (request.action_value or "").strip()
    if not value:
        raise UsageError("errors.bad_action_value")
    return value


def _ref(request: Request) -> tuple[int, int | None]:
    """`ID` or `ID:VERSION` from a button value."""
    head, _, version = _value(request).partition(":")
    if not is_id(head) or (version and not is_id(version)):
        raise UsageError("errors.bad_action_value")
    return int(head), int(version) if version else None
