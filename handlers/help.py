"""`help`: the commands, built from the handlers' own docstrings."""

from __future__ import annotations

from core.reply import Fact, Reply, Request
from handlers.context import Context
from handlers.registry import command


@command("help", aliases=("hilfe", "?"), order=0)
async def help_command(request: Request, ctx: Context) -> Reply:
    """What Horchposten can do, or how one command works.

    de: Was Horchposten kann, oder wie ein Befehl funktioniert.
    Usage: help [COMMAND]
    """
    registry = ctx.services.registry
    if request.args:
        spec = registry.find(request.args[0])
        if spec is None:
            from handlers.dispatch import unknown_command

            return unknown_command(registry, ctx, request.args[0])
        return Reply(
            title=f"/horch {spec.name}",
            sections=[spec.summary.get(ctx.locale) or spec.summary.get("en", "")],
            facts=[Fact(ctx.t("help.usage"), f"/horch {spec.usage}")]
            + ([Fact(ctx.t("help.aliases"), ", ".join(spec.aliases))] if spec.aliases else []),
        )
    facts = [
        Fact(f"/horch {spec.usage}", spec.summary.get(ctx.locale) or spec.summary.get("en", ""))
        for spec in registry.visible()
    ]
    return Reply(
        title=ctx.t("help.title"),
        sections=[ctx.t("help.intro")],
        facts=facts,
        footnotes=[ctx.t("help.footer")],
    )
