"""Failures of the outside world that the draft flow reports in the thread."""

from __future__ import annotations

# What went wrong with the model, as message keys drafts.model_error.<kind>.
MODEL_ERRORS = ("timeout", "rate_limit", "auth", "connection", "server", "bad_request", "empty")


class ModelError(Exception):
    """The language model did not deliver a usable answer; `kind` says why (MODEL_ERRORS)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind if kind in MODEL_ERRORS else "server"
        self.detail = detail


class PublishError(Exception):
    """The platform did not take the reply. `permanent`: retrying the same call cannot help
    (the post was deleted, the text was refused, the credentials are wrong)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
