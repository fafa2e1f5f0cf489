"""Small fakes for ports, where a test is about the code around them, not the models."""

from __future__ import annotations

NEGATIVE = ("nicht", "kaputt", "schlecht", "broken", "bad", "still waiting", "ärgerlich", "never")
POSITIVE = ("super", "toll", "great", "love", "liebe", "danke", "thanks")
GERMAN = (" ist ", " die ", " der ", " und ", " nicht ", " mein", "lieferung")


class RuleAnalyzer:
    """A deterministic keyword analyzer: lets pipeline tests know the expected labels."""

    def languages(self, texts: list[str]) -> list[str | None]:
        return ["de" if any(w in f" {t.lower()} " for w in GERMAN) else "en" for t in texts]

    def sentiments(self, texts: list[str], languages: list[str | None]) -> list[tuple[str, float]]:
        out = []
        for text in texts:
            low = text.lower()
            if any(w in low for w in NEGATIVE):
                out.append(("negative", -0.8))
            elif any(w in low for w in POSITIVE):
                out.append(("positive", 0.8))
            else:
                out.append(("neutral", 0.0))
        return out

    def intents(self, texts: list[str], languages: list[str | None]) -> list[str]:
        return [self.intent(t, lang) for t, lang in zip(texts, languages, strict=True)]

    def intent(self, text: str, language: str | None) -> str:
        if "?" in text:
            return "question"
        return "complaint" if any(w in text.lower() for w in NEGATIVE) else "other"
