"""Forms: a Reply with `inputs` as a Slack modal, and the way back from its submission.

A modal opens with `views.open` and the trigger_id of the click or slash command that asked
for it. Its `private_metadata` carries what the submission needs to become a neutral
button click again: the form's action id and value, and where the answer goes (channel,
thread, the message to replace, the response_url). Where no trigger_id exists (an
@mention, a scheduled post), the form is a message with an "open" button whose value is
the form itself (`_slack.form`); its click brings the trigger_id.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.slack import blocks as b
from bot.slack import escape
from core.i18n import Translator
from core.reply import Action, Input, Reply

log = logging.getLogger(__name__)

CALLBACK_ID = "horch.form"
FORM_ACTION = "_slack.form"
INPUT_ACTION = "value"
VIEW_TITLE_CHARS = 24
VIEW_BLOCKS = 100
INPUT_CHARS = 3000
METADATA_CHARS = 3000


@dataclass
class FormSpec:
    """What a modal needs: the submit action, the title and the fields."""

    action_id: str
    action_value: str
    submit: str
    title: str
    inputs: list[Input] = field(default_factory=list)

    @classmethod
    def from_reply(cls, reply: Reply) -> FormSpec:
        first = reply.actions[0] if reply.actions else Action(id="", label="")
        return cls(first.id, first.value, first.label, reply.title, list(reply.inputs))

    def to_reply(self) -> Reply:
        return Reply(
            title=self.title,
            inputs=list(self.inputs),
            actions=[Action(self.action_id, self.submit, self.action_value)],
        )

    def to_json(self, *, with_values: bool = True) -> str:
        fields = [
            [i.id, i.label, i.value if with_values else "", i.multiline, i.max_length]
            for i in self.inputs
        ]
        data = [self.action_id, self.action_value, self.submit, self.title, fields]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> FormSpec:
        """Raises ValueError for anything that is not a form this module wrote."""
        data = json.loads(text)
        if not isinstance(data, list) or len(data) != 5 or not isinstance(data[4], list):
            raise ValueError("not a form")
        action_id, value, submit, title, fields = data
        try:
            inputs = [
                Input(str(f[0]), str(f[1]), str(f[2]), bool(f[3]), int(f[4]) if f[4] else None)
                for f in fields
            ]
        except (LookupError, TypeError, OverflowError) as exc:  # a field of another shape
            raise ValueError("not a form") from exc
        return cls(str(action_id), str(value), str(submit), str(title), inputs)


def form_button(spec: FormSpec, t: Translator) -> Action | None:
    """The button that opens the form as a modal; None if even the bare form is too big."""
    for with_values in (True, False):
        value = spec.to_json(with_values=with_values)
        if len(value) <= b.VALUE_CHARS:
            if not with_values:
                log.warning("form %r too big for a button; its fields open empty", spec.action_id)
            return Action(FORM_ACTION, t("slack.form.open", label=spec.submit), value, "primary")
    log.error("form %r does not fit a Slack button", spec.action_id)
    return None


@dataclass
class ModalContext:
    """Carried through the modal in private_metadata, back to the submission."""

    action_id: str
    action_value: str = ""
    channel_id: str | None = None
    thread_ts: str | None = None
    message_ts: str | None = None
    response_url: str | None = None
    ephemeral: bool = False

    def encode(self) -> str:
        data = asdict(self)
        text = json.dumps(data, separators=(",", ":"))
        if len(text) > METADATA_CHARS:
            data["response_url"] = None
            text = json.dumps(data, separators=(",", ":"))
        if len(text) > METADATA_CHARS:
            raise ValueError("the form's action value is too long for a modal")
        return text

    @classmethod
    def decode(cls, text: str) -> ModalContext:
        data = json.loads(text or "{}")
        if not isinstance(data, dict) or not isinstance(data.get("action_id"), str):
            raise ValueError("not our modal")

        def field_(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) and value else None

        return cls(
            action_id=data["action_id"],
            action_value=field_("action_value") or "",
            channel_id=field_("channel_id"),
            thread_ts=field_("thread_ts"),
            message_ts=field_("message_ts"),
            response_url=field_("response_url"),
            ephemeral=data.get("ephemeral") is True,
        )


def modal_view(reply: Reply, t: Translator, context: ModalContext) -> dict[str, Any]:
    """The reply as a modal: its text on top, a text field per input, submit = first action."""
    spec = FormSpec.from_reply(reply)
    blocks: list[Block] = []
    for text in reply.sections:
        blocks += [b.section(piece) for piece in escape.split(text, b.SECTION_CHARS)]
    blocks += b.fact_blocks(reply.facts)
    for field_ in reply.inputs:
        value = field_.value
        if len(value) > INPUT_CHARS:
            log.warning(
                "input %r holds %d chars; Slack shows %d", field_.id, len(value), INPUT_CHARS
            )
            value = value[:INPUT_CHARS]
        element = PlainTextInputElement(
            action_id=INPUT_ACTION,
            # The field's own value, not mrkdwn: it is edited and sent back as it is.
            initial_value=value or None,
            multiline=field_.multiline,
            max_length=min(field_.max_length or INPUT_CHARS, INPUT_CHARS),
        )
        blocks.append(
            InputBlock(
                block_id=field_.id[:255],
                label=b.plain(field_.label, 2000),
                element=element,
                optional=True,
            )
        )
    view = View(
        type="modal",
        callback_id=CALLBACK_ID,
        title=b.plain(reply.title or t("slack.form.title"), VIEW_TITLE_CHARS),
        submit=b.plain(spec.submit or t("slack.form.submit"), VIEW_TITLE_CHARS),
        close=b.plain(t("slack.form.cancel"), VIEW_TITLE_CHARS),
        private_metadata=context.encode(),
        blocks=blocks[:VIEW_BLOCKS],
    )
    return view.to_dict()


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """The fields of a view_submission: {input id: text} (empty fields as '')."""
    state = view.get("state")
    values = (state.get("values") if isinstance(state, dict) else None) or {}
    if not isinstance(values, dict):
        raise ValueError("view state is not a mapping")
    form: dict[str, str] = {}
    for block_id, actions in values.items():
        if not isinstance(actions, dict):
            raise ValueError("view state block is not a mapping")
        entry: Any = actions.get(INPUT_ACTION) or next(iter(actions.values()), {})
        value = entry.get("value") if isinstance(entry, dict) else None
        form[str(block_id)] = value if isinstance(value, str) else ""
    return form
