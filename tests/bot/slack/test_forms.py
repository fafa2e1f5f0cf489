"""Forms: a Reply with inputs as a modal, and its submission back as a neutral click."""

from __future__ import annotations

import json

import pytest

from bot.slack.forms import FormSpec, ModalContext, form_button, modal_view, submitted_values
from core.i18n import Translator
from core.reply import Action, Input, Reply


def form(value: str = "Hi & <bye>") -> Reply:
    return Reply(
        title="Edit the draft for mention 12345",
        sections=["<!here> please check"],
        inputs=[
            Input("text", "Reply", value, multiline=True, max_length=500),
            Input("note", "Note", multiline=False),
        ],
        actions=[Action("draft.save", "Save and submit for approval", "42")],
    )


def test_modal_keeps_values_raw_and_text_escaped() -> None:
    view = modal_view(form(), Translator("en"), ModalContext("draft.save", "42", "C1"))
    assert view["callback_id"] == "horch.form"
    assert len(view["title"]["text"]) <= 24 and len(view["submit"]["text"]) <= 24
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == ["text", "note"]
    assert inputs[0]["element"]["initial_value"] == "Hi & <bye>"
    assert inputs[0]["element"]["multiline"] is True and inputs[0]["element"]["max_length"] == 500
    assert "&lt;!here&gt;" in json.dumps(view)
    assert ModalContext.decode(view["private_metadata"]).action_value == "42"


def test_form_spec_round_trip_and_button_fallback() -> None:
    spec = FormSpec.from_reply(form())
    assert FormSpec.from_json(spec.to_json()) == spec
    button = form_button(spec, Translator("de"))
    assert button is not None and button.id == "_slack.form"
    big = form("x" * 2500)
    button = form_button(FormSpec.from_reply(big), Translator("de"))
    assert button is not None and len(button.value) <= 2000
    assert FormSpec.from_json(button.value).inputs[0].value == ""  # opens empty, still works
    with pytest.raises(ValueError):
        FormSpec.from_json('{"a": 1}')


def test_modal_context_limits() -> None:
    context = ModalContext("a", "v" * 2000, "C1", response_url="https://hooks/" + "u" * 2000)
    decoded = ModalContext.decode(context.encode())
    assert decoded.response_url is None and decoded.action_value == "v" * 2000
    with pytest.raises(ValueError):
        ModalContext("a", "v" * 3000).encode()
    with pytest.raises(ValueError):
        ModalContext.decode('{"no": "action"}')


def test_submitted_values() -> None:
    view = {"state": {"values": {"a": {"value": {"value": "x"}}, "b": {"other": {"value": None}}}}}
    assert submitted_values(view) == {"a": "x", "b": ""}
    with pytest.raises(ValueError):
        submitted_values({"state": {"values": {"a": "flat"}}})
