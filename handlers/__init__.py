"""Command handlers: one module per command family; each takes a Request, returns a Reply.

`register_all()` is the one place that wires them up: it imports every module of this
package (except the infrastructure below) and collects what their decorators tagged.
"""

from __future__ import annotations

import importlib
import pkgutil

from handlers.registry import Registry

# Modules of this package that hold no handlers.
INFRASTRUCTURE = frozenset({"args", "context", "dispatch", "registry", "reply"})


def handler_modules() -> list[str]:
    """The handler modules, in a stable order."""
    return sorted(
        f"{__name__}.{m.name}"
        for m in pkgutil.iter_modules(__path__)
        if m.name not in INFRASTRUCTURE and not m.name.startswith("_")
    )


def register_all(modules: list[str] | None = None) -> Registry:
    """Import the handler modules and collect their tagged commands and actions."""
    registry = Registry()
    for name in modules if modules is not None else handler_modules():
        registry.add_module(importlib.import_module(name))
    return registry
