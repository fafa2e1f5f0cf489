"""register_all imports the handler modules: every name it skips is a module that exists."""

from __future__ import annotations

import pkgutil

import handlers


def test_the_skipped_infrastructure_modules_exist() -> None:
    modules = {m.name for m in pkgutil.iter_modules(handlers.__path__)}
    assert modules >= handlers.INFRASTRUCTURE, handlers.INFRASTRUCTURE - modules
    assert not set(handlers.handler_modules()) & {
        f"handlers.{name}" for name in handlers.INFRASTRUCTURE
    }
