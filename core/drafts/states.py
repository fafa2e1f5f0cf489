"""The states of a draft and the moves between them.

proposed → edited (any number of times) → approved → published, or rejected; where the
platform does not let us reply, approved → ready_to_post → posted. Only these moves exist;
the storage layer makes each one a conditional UPDATE on the state it leaves.
"""

from __future__ import annotations

from typing import Final

PROPOSED: Final = "proposed"
EDITED: Final = "edited"
APPROVED: Final = "approved"
PUBLISHED: Final = "published"
REJECTED: Final = "rejected"
READY_TO_POST: Final = "ready_to_post"
POSTED: Final = "posted"

STATES: Final = (PROPOSED, EDITED, APPROVED, PUBLISHED, REJECTED, READY_TO_POST, POSTED)
# A person may still change, approve or reject these.
OPEN: Final = (PROPOSED, EDITED)
# Waiting for something: a decision, the platform, or a person to post it by hand.
PENDING: Final = (PROPOSED, EDITED, APPROVED, READY_TO_POST)

MOVES: Final[dict[str, tuple[str, ...]]] = {
    PROPOSED: (EDITED, APPROVED, REJECTED),
    EDITED: (EDITED, APPROVED, REJECTED),
    APPROVED: (PUBLISHED, READY_TO_POST),
    READY_TO_POST: (POSTED,),
    PUBLISHED: (),
    REJECTED: (),
    POSTED: (),
}


def can_move(state: str, to: str) -> bool:
    """Whether `state` → `to` is a move the draft model allows."""
    return to in MOVES.get(state, ())


def sources_of(to: str) -> tuple[str, ...]:
    """The states a draft may be in to move to `to` (the WHERE of the conditional UPDATE)."""
    return tuple(state for state, targets in MOVES.items() if to in targets)
