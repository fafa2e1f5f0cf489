"""The report for people outside the chat: a PDF of a period (figures, charts, stories, top
mentions, answers, drafts, backlog, coverage), built from the same figures as the brief."""
