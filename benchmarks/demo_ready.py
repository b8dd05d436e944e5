"""How soon `make demo` is usable: for each lesson, the seconds from starting the server to the
lesson's main widget answering a click in Chromium (cold), and from a page load once the server has
prepared its next kernel (warm: what a reload or a second browser gets).

    python benchmarks/demo_ready.py [--lessons 00 06] [--fast] [--warm-wait 1.5] [--out FILE]

It runs the Makefile's own `make demo-serve` (Voila with a pre-heated kernel) with this Python's
folder as BIN, on a free loopback port, opens the page once Voila has started that kernel, and
drives Debian's /usr/bin/chromium through Playwright (as tests/test_demo.py does). "Answering" means the kernel replied: picking an option of the
lesson's predict-first question enables its check button and the press shows a verdict. The warm
page is loaded after waiting `--warm-wait` times the cold time, long enough for the next kernel to
have run the lesson. The target (issue: demo ready in seconds) is warm < 20 s on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def _ready(page, timeout_s: float) -> None:
    """Wait until the page's predict-first widget (every lesson has one, nk.widgets.Predict)
    answers: picking an option enables its check button, and the press shows a verdict, both
    through the kernel."""
    from playwright.sync_api import expect

    ms = timeout_s * 1000
    root = page.locator(".widget-vbox:has(> .naskit-predict-check)").first
    expect(root).to_be_attached(timeout=ms)
    root.scroll_into_view_if_needed(timeout=ms)
    root.locator(".naskit-predict-options button").first.click(timeout=ms)
    check = root.locator("button.naskit-predict-check")
    expect(check).to_be_enabled(timeout=ms)
    check.click(timeout=ms)
    expect(root.locator(".naskit-predict-verdict")).not_to_be_empty(timeout=ms)


def measure(lesson: str, fast: bool, warm_wait: float, timeout_s: float = 600) -> dict:
    from playwright.sync_api import sync_playwright

    from _browser import POOL_FILLED, free_port, open_page, stop_group, wait_for_log

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "NASKIT_PROJECTOR")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    cmd = ["make", "--no-print-directory", "demo-serve", f"LESSON={lesson}", f"PORT={port}",
           f"FAST={'1' if fast else ''}", f"BIN={Path(sys.executable).parent}"]
    with tempfile.TemporaryDirectory(prefix="naskit-demo-ready-") as tmp:
        log = open(Path(tmp) / "voila.log", "w")
        start = time.monotonic()
        server = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        try:
            wait_for_log(Path(tmp) / "voila.log", POOL_FILLED, server, 60)
            with sync_playwright() as p:
                url = f"http://127.0.0.1:{port}/"
                context, page = open_page(p, Path(tmp), {"width": 1920, "height": 1080})
                page.goto(url, timeout=timeout_s * 1000)
                _ready(page, timeout_s)
                cold = time.monotonic() - start
                time.sleep(warm_wait * cold)
                page2 = context.new_page()
                t = time.monotonic()
                page2.goto(url, timeout=timeout_s * 1000)
                _ready(page2, timeout_s)
                warm = time.monotonic() - t
                context.close()
        finally:
            stop_group(server)
            log.close()
    return {"lesson": lesson, "mode": "fast" if fast else "full", "cold_s": round(cold, 1),
            "warm_s": round(warm, 1)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    lessons = sorted(f.name[:2] for f in (REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
    p.add_argument("--lessons", nargs="+", default=lessons, choices=lessons)
    p.add_argument("--fast", action="store_true", help="FAST=1: the lessons' fast settings")
    p.add_argument("--warm-wait", type=float, default=1.5,
                   help="wait this many times the cold time before the warm page (default 1.5)")
    p.add_argument("--out", type=Path, default=None, help="also write the rows as JSON lines here")
    args = p.parse_args()
    if args.warm_wait < 1:
        p.error("--warm-wait must be >= 1: the next kernel needs as long as the first to run")
    print(f"{'lesson':<7}{'mode':<6}{'cold s':>8}{'warm s':>8}", flush=True)
    for lesson in args.lessons:
        row = measure(lesson, args.fast, args.warm_wait)
        print(f"{row['lesson']:<7}{row['mode']:<6}{row['cold_s']:>8.1f}{row['warm_s']:>8.1f}",
              flush=True)
        if args.out:
            with open(args.out, "a") as f:
                f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
