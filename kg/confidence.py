"""What a confidence means in kg, and how several sources combine.

A fact's confidence starts as the measured precision of the rule that found it
(``kg/patterns/rule_precision.json``, written by ``bench/calibrate.py`` from the dev
corpus; a rule it has not measured keeps the prior in ``relations.json``). Articles
that state the same fact independently raise it: the chance that every one of them
is wrong shrinks with each (a noisy-OR over articles, one vote per article).

>>> combine([0.8, 0.8])
0.96
>>> combine([0.8, 0.8], articles=["a1", "a1"])
0.8
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

PRECISION_FILE = Path(__file__).parent / "patterns" / "rule_precision.json"


@lru_cache(maxsize=1)
def measured_precision() -> dict[str, float]:
    """Rule id -> smoothed precision measured on the dev corpus (empty if never measured)."""
    if not PRECISION_FILE.exists():
        return {}
    data = json.loads(PRECISION_FILE.read_text(encoding="utf-8"))
    return {rule: float(v["precision"]) for rule, v in data.get("rules", {}).items()}


def rule_confidence(rule_id: str, prior: float) -> float:
    """The confidence a fact found by ``rule_id`` starts with."""
    return round(measured_precision().get(rule_id, prior), 3)


def combine(confidences: Sequence[float], articles: Iterable[str] | None = None) -> float:
    """Noisy-OR of the best confidence per article: 1 - prod(1 - c)."""
    best: dict[str, float] = {}
    keys = list(articles) if articles is not None else [str(i) for i in range(len(confidences))]
    for key, c in zip(keys, confidences):
        best[key] = max(best.get(key, 0.0), c)
    miss = 1.0
    for c in best.values():
        miss *= 1.0 - min(max(c, 0.0), 1.0)
    return round(1.0 - miss, 3)
