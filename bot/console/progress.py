"""The demo seeding's progress under the prompt: a rich progress bar in the editor's toolbar,
redrawn while the person types, gone when the seeding is done."""

from __future__ import annotations

import io

from prompt_toolkit.formatted_text import ANSI, AnyFormattedText
from rich.console import Console
from rich.progress_bar import ProgressBar
from rich.text import Text

from core.background import SeedProgress
from core.i18n import Translator
from handlers.demo import seeding_line


def progress_line(progress: SeedProgress, t: Translator, width: int = 30) -> str:
    """The bar and "Seeding the demo data, N of M" as terminal text with colours."""
    total = progress.total or 20_000
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="standard", width=200)
    console.print(ProgressBar(total=total, completed=progress.done, width=width), end="")
    console.print(Text("  " + seeding_line(t, progress)), end="")
    return out.getvalue()


def toolbar(progress: SeedProgress, t: Translator) -> AnyFormattedText:
    """What the toolbar shows now: the progress while seeding runs, else nothing."""
    if not progress.running:
        return None
    return ANSI(progress_line(progress, t))
