"""Files in the console: each lies under the files folder and the answer names its path;
a file that came as bytes is written there first, under a name that cannot leave it."""

from __future__ import annotations

from pathlib import Path

from bot.console.notifier import ConsoleNotifier
from bot.console.render import to_text
from bot.files_disk import on_disk
from core.reply import File, Reply


def test_a_file_in_memory_is_written_to_the_folder_and_named(tmp_path: Path) -> None:
    reply = Reply(
        title="Export", files=[File(name="../../etc/x.csv", mime="text/csv", data=b"a\n")]
    )
    saved = on_disk(reply, tmp_path / "reports")
    (file,) = saved.files
    assert file.path is not None and file.path.parent == tmp_path / "reports"
    assert file.path.read_bytes() == b"a\n" and ".." not in file.path.name
    text = to_text(saved, locale="de", zone="Europe/Berlin")
    assert "Datei:" in text and file.path.name in text


async def test_the_console_notifier_writes_and_names_files(tmp_path: Path) -> None:
    notifier = ConsoleNotifier(zone="UTC", locale="en", files_dir=tmp_path)
    reply = Reply(
        title="Report", files=[File(name="report.pdf", mime="application/pdf", data=b"%PDF")]
    )
    await notifier.post(channel_id="console", reply=reply)
    (written,) = tmp_path.glob("*report.pdf")
    assert written.read_bytes() == b"%PDF"
    assert written.name in notifier.posted[-1][1] and "File:" in notifier.posted[-1][1]
