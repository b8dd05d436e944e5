"""Tally the hostile cases per area: clear / harmless / deep / silent.

    python benchmarks/bad_input_tally.py                  # every area, then each deep or silent case
    python benchmarks/bad_input_tally.py --area files     # one area (arguments, files, exercises,
                                                          # widgets, runs)
    python benchmarks/bad_input_tally.py -v               # and every clear message, to read them

The areas are the argument battery of ``tests/test_bad_inputs.py`` and the suites
``tests/test_hostile_<area>.py``; the same cases run as tests, which fail on deep or silent.
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
    parser.add_argument("--area", nargs="+", choices=AREAS, default=list(AREAS),
                        help="the areas to tally (default: all)")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the suites import each other as pytest does
    failed = False
    for area in args.area:
        result = _suite(AREAS[area]).tally()
        total = sum(len(v) for v in result.values())
        print(f"{area}: {total} cases: " + ", ".join(f"{k} {len(v)}" for k, v in result.items()),
              flush=True)
        for outcome in ("deep", "silent") + (("clear",) if args.verbose else ()):
            for case, detail in result[outcome]:
                print(f"  {outcome:7s} {case}: {detail[:200]}")
        failed = failed or bool(result["deep"] or result["silent"])
    return 1 if failed else 0


AREAS = {"arguments": "test_bad_inputs", "files": "test_hostile_files",
         "exercises": "test_hostile_exercises", "widgets": "test_hostile_widgets",
         "runs": "test_hostile_runs"}


def _suite(module: str):
    """The test module ``tests/<module>.py``, imported under its own name (as pytest imports it)."""
    if module in sys.modules:
        return sys.modules[module]
    spec = importlib.util.spec_from_file_location(module, ROOT / "tests" / f"{module}.py")
    suite = importlib.util.module_from_spec(spec)
    sys.modules[module] = suite  # dataclasses look their module up
    spec.loader.exec_module(suite)
    return suite


if __name__ == "__main__":
    sys.exit(main())
