"""Classroom mode in a real browser: Voila serves lesson 0 as an app, a lecturer works its widget.

What ``make demo`` runs (``voila <lesson> --Voila.ip=127.0.0.1``), on a copy of the lesson in a
temporary folder, driven by Playwright in Debian's headless Chromium as in ``test_browser.py``.
Skips without Chromium, Playwright or Voila.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_browser import CHROMIUM, _free_port, _open_page, _stop, _wait_for

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
LESSON = REPO / "lessons" / "00_automl_and_nas.ipynb"


@pytest.fixture
def voila(tmp_path):
    """A Voila server on loopback serving a copy of lesson 0 in fast mode; yields its URL."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    shutil.copy(LESSON, tmp_path / LESSON.name)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    path = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(NASKIT_FAST="1", OMP_NUM_THREADS="1", PYTHONPATH=path,
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), IPYTHONDIR=str(tmp_path / "ipython"))
    port = _free_port()
    cmd = [sys.executable, "-m", "voila", LESSON.name, "--no-browser", "--Voila.ip=127.0.0.1",
           f"--port={port}", "--Voila.port_retries=0"]
    log = open(tmp_path / "voila.log", "w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        # any answer means it is up (a bare request for a static file gets 403); starts no kernel
        _wait_for(f"{url}/voila/static/extension.js", server, 60, any_answer=True, name="Voila")
        yield url
    finally:  # Voila leaks a kernel per page load (voila issue 1458): stopping the server ends them
        _stop(server)
        log.close()


def test_lesson0_bilevel_explorer_in_voila(voila, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    screenshot = tmp_path / "bilevel.png"
    with sync_playwright() as p:
        context, page = _open_page(p, tmp_path)
        try:
            page.goto(voila, timeout=180_000)
            summary = page.locator(".naskit-bilevel-summary").first
            expect(summary).to_contain_text("wins", timeout=180_000)  # the whole lesson has run
            assert page.locator(".jp-InputArea-editor").count() == 0  # an app: no code shown
            image = page.locator("img.naskit-bilevel-image").first
            before = image.get_attribute("src")
            page.locator(".naskit-bilevel-objective button", has_text="training loss").click()
            expect(image).not_to_have_attribute("src", before)
            page.locator(".naskit-bilevel-epoch button", has_text="1").first.click()
            expect(summary).to_contain_text("wins")
            page.locator(".naskit-bilevel-image").first.screenshot(path=str(screenshot))
            assert screenshot.stat().st_size > 5_000
        finally:
            context.close()
