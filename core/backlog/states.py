"""The states of a backlog item and the moves between them.

todo → in_progress → done is the usual path; blocked is a detour; dropped ends it. A done
item can be reopened and a dropped one restored; nothing else jumps the line.
"""

from __future__ import annotations

from typing import Final

from core.models_backlog import OPEN_STATES, STATES

MOVES: Final[dict[str, tuple[str, ...]]] = {
    "todo": ("in_progress", "blocked", "done", "dropped"),
    "in_progress": ("todo", "blocked", "done", "dropped"),
    "blocked": ("todo", "in_progress", "dropped"),
    "done": ("todo", "in_progress"),
    "dropped": ("todo",),
}

# Words people type for a state (English and German), and the state they mean.
ALIASES: Final[dict[str, str]] = {
    "todo": "todo",
    "to-do": "todo",
    "open": "todo",
    "offen": "todo",
    "progress": "in_progress",
    "in_progress": "in_progress",
    "in-progress": "in_progress",
    "doing": "in_progress",
    "started": "in_progress",
    "inarbeit": "in_progress",
    "in_arbeit": "in_progress",
    "begonnen": "in_progress",
    "blocked": "blocked",
    "blockiert": "blocked",
    "done": "done",
    "erledigt": "done",
    "fertig": "done",
    "dropped": "dropped",
    "drop": "dropped",
    "verworfen": "dropped",
}

# Buttons on an item: action suffix → the state it moves to.
BUTTONS: Final[dict[str, str]] = {
    "start": "in_progress",
    "done": "done",
    "block": "blocked",
    "unblock": "in_progress",
    "todo": "todo",
    "reopen": "todo",
    "restore": "todo",
    "drop": "dropped",
}
# Which buttons an item shows in each state, in order.
BUTTONS_FOR: Final[dict[str, tuple[str, ...]]] = {
    "todo": ("start", "done", "block", "drop"),
    "in_progress": ("done", "block", "todo", "drop"),
    "blocked": ("unblock", "drop"),
    "done": ("reopen",),
    "dropped": ("restore",),
}


def parse_state(word: str) -> str | None:
    return ALIASES.get(word.strip().lower().replace(" ", "_"))


def can_move(state: str, to: str) -> bool:
    return to in MOVES.get(state, ())


def is_open(state: str) -> bool:
    return state in OPEN_STATES


__all__ = ["ALIASES", "BUTTONS", "BUTTONS_FOR", "MOVES", "STATES", "can_move", "parse_state"]
