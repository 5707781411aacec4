"""EPS classification throughput over the 150,000 demo conventions (target ≥ 20,000 conventions/s)."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import date

from aude_desktop.conventions.thresholds import classify, default_ruleset
from central_api.demo_data import generate_records


def run():
    conventions = [json.loads(json.dumps(r.payload)) for r in generate_records(0, 150_000, seed=42, today=date(2026, 11, 23))
                   if r.kind == "convention"]
    rules = default_ruleset()
    started = time.perf_counter()
    regimes = Counter(classify(c, rules).regime for c in conventions)
    elapsed = time.perf_counter() - started
    agree = sum(1 for c in conventions if classify(c, rules).regime == c["regime"])
    return [
        (f"classification of {len(conventions):,} demo conventions", f"{len(conventions) / elapsed:,.0f} conventions/s", ">= 20,000/s"),
        ("regimes found", ", ".join(f"{k} {v:,}" for k, v in sorted(regimes.items())), "-"),
        ("agreement with the regime the demo data declares", f"{agree / len(conventions):.1%}", "-"),
    ]
