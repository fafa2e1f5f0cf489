"""The whole check-in offline, as a person tries it: `python -m bot chat --as NAME --once …`
plays each member of the team in turn, then the standup is posted with their answers."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.cli import run_bot


def test_console_plays_every_member(db_url: str, tmp_path: Path) -> None:
    def chat(line: str, member: str | None = None, code: int = 0) -> str:
        args = ["chat", "--locale", "en", "--once", line]
        if member:
            args += ["--as", member]
        done = run_bot(args, db_url=db_url, cwd=tmp_path)
        assert done.returncode == code, done.stdout + done.stderr
        return done.stdout

    assert "Check-ins are on" in chat('standup checkin on --questions "Done?|Today?|Blocked?"')
    assert "@anna, @ben, @cem" in chat("standup members @anna @ben @cem")
    asked = chat("standup checkin", "anna")
    assert "Done?" in asked and "checkin.answer" in asked
    assert "saved" in chat('standup checkin answer "Launch post" "FAQ" "no"', "anna")
    edited = chat('standup checkin answer "Launch post" "FAQ" "Waiting for legal"', "anna")
    assert "saved" in edited and "Waiting for legal" in edited
    chat('standup checkin answer "Newsletter" "Review" "-"', "ben")
    assert "Done?" in chat("standup checkin", "cem")
    # Nobody sees another's answers, nor the channel before the standup posts them.
    assert "only see your own" in chat("standup history @anna", "ben", code=1)
    assert "Waiting for legal" not in chat("standup")
    post = chat("standup post")
    assert post.index("No answer from: cem") < post.index("anna — blocked") < post.index("ben")
    assert "Waiting for legal" in post and "Newsletter" in post
    assert "posted already" in chat("standup post")
    assert "Waiting for legal" in chat("standup history @me 14d", "anna")
