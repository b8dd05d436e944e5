"""Tally the hostile-argument battery of ``tests/test_bad_inputs.py``: clear / harmless / deep / silent.

    python benchmarks/bad_input_tally.py          # the tally, then every deep or silent case
    python benchmarks/bad_input_tally.py -v       # and every clear message, to read them

The same cases run as tests (``pytest tests/test_bad_inputs.py``), which fail on deep or silent.
"""
import argparse
import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print every clear message too")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location("bad_inputs", ROOT / "tests" / "test_bad_inputs.py")
    battery = importlib.util.module_from_spec(spec)
    sys.modules["bad_inputs"] = battery  # dataclasses look their module up
    spec.loader.exec_module(battery)
    result = battery.tally()
    total = sum(len(v) for v in result.values())
    print(f"{total} cases: " + ", ".join(f"{k} {len(v)}" for k, v in result.items()))
    for outcome in ("deep", "silent") + (("clear",) if args.verbose else ()):
        for case, detail in result[outcome]:
            print(f"{outcome:7s} {case}: {detail[:200]}")
    return 1 if result["deep"] or result["silent"] else 0


if __name__ == "__main__":
    sys.exit(main())
