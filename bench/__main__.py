"""`make bench`: run every bench/bench_*.py (or those named on the command line), print one table.

Figures only: benchmarks never assert on time; targets are printed beside the measured value.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback

import bench


def modules(selected: list[str]) -> list[str]:
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    return [n for n in names if not selected or n in selected or n.removeprefix("bench_") in selected]


def main(argv: list[str]) -> int:
    rows: list[tuple[str, str, str, str]] = []
    failed = 0
    for name in modules(argv):
        started = time.perf_counter()
        print(f"… {name}", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            for figure, value, target in module.run():
                rows.append((name.removeprefix("bench_"), figure, value, target))
        except Exception:
            failed += 1
            traceback.print_exc()
            rows.append((name.removeprefix("bench_"), "ÉCHEC (voir la trace ci-dessus)", "-", "-"))
        print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    headers = ("bench", "figure", "measured", "target")
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
