"""Buttons by number: every button the console shows gets a short number (`[3] Freigeben`),
and typing `3` or `!3` clicks it with its full value, however long.

Numbers run on through the session, so a button of an older reply still clicks what it
showed; the book forgets the oldest beyond `keep`. A button that is the first of a reply
with form fields (a draft's Save) remembers those fields, so the console can ask for them.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

from core.reply import Action, Input, Reply

_NUMBER = re.compile(r"^!?\s*(\d{1,6})$")


@dataclass(frozen=True)
class Button:
    """A numbered button: the action, and the form fields it submits (if any)."""

    number: int
    action: Action
    fields: tuple[Input, ...] = ()


class ButtonBook:
    """The numbers handed out in one console session."""

    def __init__(self, keep: int = 1000) -> None:
        self.keep = keep
        self._next = 1
        self._buttons: OrderedDict[int, Button] = OrderedDict()

    def number(self, reply: Reply) -> dict[int, int]:
        """Give each button of the reply a number; returns {id(action): number}.

        The reply's own buttons come after its items' buttons, in the order they are shown."""
        numbers: dict[int, int] = {}
        for item in reply.items:
            for action in item.actions:
                numbers[id(action)] = self._add(action, ())
        fields = tuple(reply.inputs)
        for i, action in enumerate(reply.actions):
            # In a form the first button submits the fields (as on Teams and Slack).
            numbers[id(action)] = self._add(action, fields if i == 0 else ())
        return numbers

    def _add(self, action: Action, fields: tuple[Input, ...]) -> int:
        number = self._next
        self._next += 1
        self._buttons[number] = Button(number, action, fields)
        while len(self._buttons) > self.keep:
            self._buttons.popitem(last=False)
        return number

    def get(self, number: int) -> Button | None:
        return self._buttons.get(number)


def button_number(line: str) -> int | None:
    """`3` or `!3` → 3; anything else (a command, `!draft.approve 1:1`) → None."""
    match = _NUMBER.match(line.strip())
    return int(match.group(1)) if match else None
