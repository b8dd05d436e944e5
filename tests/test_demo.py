"""Classroom mode in a real browser: ``make demo`` serves lesson 0 as an app, a lecturer works it.

The test runs the Makefile's own command (``make demo-serve``, what ``make demo`` runs after making
the venv, with this Python's folder as BIN), so that it serves the lesson exactly as a lecturer
would: Voila on loopback, the naskit-projector template and ``NASKIT_PROJECTOR=1``. In headless
Chromium (as in ``test_browser.py``) it checks that the projector CSS enlarges the widgets' text,
that the figures are drawn with projector fonts, and that the widget works. Lesson 0 is served, not
lesson 6 (the one ``make demo LESSON=06`` names): DARTS needs minutes before its page is ready.
Skips without Chromium, Playwright or Voila (under CI it fails instead).
"""
import base64
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from _browser import PageProblems, free_port, open_page, private_folder, require, wait_for

REPO = Path(__file__).resolve().parents[1]
LESSON = "00"
# ipywidgets' default widget font (its --jp-widgets-font-size) and JupyterLab's text size
DEFAULT_FONT_PX = 13


def _stop_group(server: subprocess.Popen) -> None:
    """Stop make and the Voila it runs: they share the process group started for them."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        pass


@pytest.fixture
def private_tmp():
    with private_folder("naskit-demo-") as folder:
        yield folder


@pytest.fixture
def demo(private_tmp):
    """``make demo-serve LESSON=00 FAST=1`` on a free loopback port; yields its URL."""
    require(modules=("playwright", "voila"))
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "NASKIT_PROJECTOR")}
    path = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(PYTHONPATH=path, JUPYTER_RUNTIME_DIR=str(private_tmp / "runtime"),
               IPYTHONDIR=str(private_tmp / "ipython"))
    port = free_port()
    cmd = ["make", "--no-print-directory", "demo-serve", f"LESSON={LESSON}", f"PORT={port}",
           "FAST=1", f"BIN={Path(sys.executable).parent}"]
    log = open(private_tmp / "voila.log", "w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        # any answer means it is up (a bare request for a static file gets 403); starts no kernel
        wait_for(f"{url}/voila/static/extension.js", server, 60, any_answer=True, name="Voila")
        yield url
    finally:  # Voila leaks a kernel per page load (voila issue 1458): stopping the server ends them
        _stop_group(server)
        log.close()


# ipywidgets' Image shows its PNG through a blob: URL; read the bytes back from the page.
READ_IMAGE = """async (img) => {
  const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
  }
  return btoa(text);
}"""


def _explorer(projector: bool):
    """Lesson 0's explorer in fast mode, drawn with or without projector fonts, after the click."""
    from naskit import bench
    from naskit.widgets import BilevelExplorer

    old = os.environ.get("NASKIT_PROJECTOR")
    os.environ["NASKIT_PROJECTOR"] = "1" if projector else "0"
    try:
        b = bench.load("mini")
        explorer = BilevelExplorer(b, [b.space.sample(seed=i) for i in range(4)])  # N_CELLS = 4
        explorer.objective = "training loss"
        return explorer
    finally:
        if old is None:
            del os.environ["NASKIT_PROJECTOR"]
        else:
            os.environ["NASKIT_PROJECTOR"] = old


@pytest.mark.browser
def test_make_demo_serves_lesson0_with_projector_fonts(demo, private_tmp):
    from playwright.sync_api import expect, sync_playwright

    projector, screen = _explorer(True), _explorer(False)
    assert bytes(projector.image.value) != bytes(screen.image.value)
    screenshot = private_tmp / "bilevel.png"
    with sync_playwright() as p:
        context, page = open_page(p, private_tmp, {"width": 1280, "height": 720})
        # Voila's lab template links Font Awesome's CSS from a CDN, which a loopback-only machine
        # (CI, a lecture room offline) cannot reach: the icons are missing, nothing else is.
        problems = PageProblems(page, harmless=("cdn.jsdelivr.net/npm/@fortawesome/",))
        try:
            page.goto(demo, timeout=180_000)
            summary = page.locator(".naskit-bilevel-summary").first
            expect(summary).to_contain_text("wins", timeout=180_000)  # the whole lesson has run
            assert page.locator(".jp-InputArea-editor").count() == 0  # an app: no code shown
            label = page.locator(".naskit-bilevel-objective .widget-label").first
            label_px = float(label.evaluate("e => getComputedStyle(e).fontSize").rstrip("px"))
            button = page.locator(".naskit-bilevel-objective button", has_text="training loss")
            button_px = float(button.evaluate("e => getComputedStyle(e).fontSize").rstrip("px"))
            text_px = float(page.locator(".jp-RenderedMarkdown p").first.evaluate(
                "e => getComputedStyle(e).fontSize").rstrip("px"))
            assert min(label_px, button_px, text_px) >= 1.4 * DEFAULT_FONT_PX, \
                (label_px, button_px, text_px)

            image = page.locator("img.naskit-bilevel-image").first
            before = image.get_attribute("src")
            button.click()
            expect(image).not_to_have_attribute("src", before)
            expect(summary).to_have_text(projector.summary.value)
            # the kernel drew the figure with projector fonts: the same bytes as here with them
            shown = base64.b64decode(image.evaluate(READ_IMAGE))
            assert shown == bytes(projector.image.value)
            page.locator(".naskit-bilevel-epoch button", has_text="1").first.click()
            expect(summary).to_contain_text("wins")
            page.locator(".widget-vbox:has(> .naskit-bilevel-image)").first.screenshot(
                path=str(screenshot))
            assert screenshot.stat().st_size > 5_000
        finally:
            context.close()
    assert not problems.errors, "\n".join(problems.errors)


def test_figure_rc_scales_fonts_only_in_projector_mode(monkeypatch):
    import matplotlib
    from matplotlib.figure import Figure

    from naskit._config import PROJECTOR_SCALE, figure_rc, projector_mode

    rc = {"font.size": 12, "axes.titlesize": 14, "axes.titleweight": "bold", "lines.linewidth": 2}
    monkeypatch.delenv("NASKIT_PROJECTOR", raising=False)
    assert not projector_mode() and figure_rc(rc) == rc and figure_rc(rc) is not rc
    assert figure_rc() == {}
    monkeypatch.setenv("NASKIT_PROJECTOR", "1")
    big = figure_rc(rc)
    assert big["font.size"] == pytest.approx(12 * PROJECTOR_SCALE)
    assert big["axes.titlesize"] == pytest.approx(14 * PROJECTOR_SCALE)
    assert (big["axes.titleweight"], big["lines.linewidth"]) == ("bold", 2)  # not font sizes
    assert rc["font.size"] == 12  # the caller's dict is left alone
    assert figure_rc()["font.size"] == pytest.approx(10 * PROJECTOR_SCALE)
    with matplotlib.rc_context(figure_rc({"font.size": 12})):
        label = Figure().add_subplot().set_xlabel("x")
    assert label.get_fontsize() == pytest.approx(12 * PROJECTOR_SCALE)
    monkeypatch.setenv("NASKIT_PROJECTOR", "maybe")
    with pytest.raises(ValueError, match="NASKIT_PROJECTOR='maybe'"):
        figure_rc(rc)


def test_make_demo_uses_the_projector_template():
    """`make -n demo-serve` (what `make demo` runs) names the template and sets the switch."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    out = subprocess.run(["make", "-n", "--no-print-directory", "demo-serve", "LESSON=06"],
                         cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert "NASKIT_PROJECTOR=1" in out and "--template=naskit-projector" in out
    assert f"{REPO}/share/jupyter" in out and "--Voila.ip=127.0.0.1" in out
    template = REPO / "share" / "jupyter" / "voila" / "templates" / "naskit-projector"
    assert (template / "conf.json").exists() and (template / "index.html.j2").exists()
