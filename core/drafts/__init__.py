"""Reply drafts: the rules of the draft model, the checks on its text, and the flow.

- `states`: proposed → edited* → approved → published | rejected, or ready_to_post → posted.
- `limits`, `checks`, `claims`: length per platform, allowed links, handles, claims.
- `offline`, `prompt`, `writer`: who writes the variants (templates or the model).
- `approval`: who may approve; `service.DraftService`: every step, audited, exactly once.
- `view`: the draft as a Reply; `suggest`: what briefs use to offer drafts.
"""

from core.drafts.service import DraftService, Outcome
from core.drafts.suggest import draft_action, open_questions, suggest_drafts

__all__ = ["DraftService", "Outcome", "draft_action", "open_questions", "suggest_drafts"]
