"""Classroom mode in a real browser: ``make demo`` serves lesson 0 as an app, a lecturer works it.

The test runs the Makefile's own command (``make demo-serve``, what ``make demo`` runs after making
the venv, with this Python's folder as BIN), so that it serves the lesson exactly as a lecturer
would: Voila on loopback, the naskit-projector template and ``NASKIT_PROJECTOR=1``. In headless
Chromium (as in ``test_browser.py``) it checks that the projector CSS enlarges the widgets' text,
that the figures are drawn with projector fonts, and that the widget works. Lesson 0 is served, not
lesson 6 (the one ``make demo LESSON=06`` names): DARTS needs minutes before its page is ready.
Skips without Chromium, Playwright or Voila (under CI it fails instead).
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from _browser import (POOL_FILLED, PageProblems, free_port, image_bytes, open_page, private_folder,
                      require, stop_group, wait_for_log)

REPO = Path(__file__).resolve().parents[1]
LESSON = "00"
# ipywidgets' default widget font (its --jp-widgets-font-size) and JupyterLab's text size
DEFAULT_FONT_PX = 13


@pytest.fixture
def private_tmp():
    with private_folder("naskit-demo-") as folder:
        yield folder


def _serve(target: str, lesson: str, tmp: Path, extra=()):
    """``make <target> LESSON=<lesson> FAST=1`` on a free loopback port; yields its URL."""
    require(modules=("playwright", "voila"))
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "NASKIT_PROJECTOR")}
    path = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(PYTHONPATH=path, JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               IPYTHONDIR=str(tmp / "ipython"))
    port = free_port()
    cmd = ["make", "--no-print-directory", target, f"LESSON={lesson}", f"PORT={port}",
           "FAST=1", f"BIN={Path(sys.executable).parent}", *extra]
    log = open(tmp / "voila.log", "w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        # the page is opened once the pre-heated kernel is registered, so that it is served from
        # that kernel (as a lecturer's page is) and the lesson runs once, not twice side by side
        wait_for_log(tmp / "voila.log", POOL_FILLED, server, 60)
        yield url
    finally:  # Voila leaks a kernel per page load (voila issue 1458): stopping the server ends them
        stop_group(server)
        log.close()


@pytest.fixture
def demo(private_tmp):
    """``make demo-serve LESSON=00 FAST=1`` on a free loopback port; yields its URL."""
    yield from _serve("demo-serve", LESSON, private_tmp)


@pytest.fixture
def slides(private_tmp):
    """``make slides-serve LESSON=02 FAST=1`` (slides written into the test's folder)."""
    yield from _serve("slides-serve", "02", private_tmp, [f"SLIDES_DIR={private_tmp / 'slides'}"])


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
            shown = image_bytes(image)
            assert shown == bytes(projector.image.value)
            page.locator(".naskit-bilevel-epoch button", has_text="1").first.click()
            expect(summary).to_contain_text("wins")
            page.locator(".widget-vbox:has(> .naskit-bilevel-image)").first.screenshot(
                path=str(screenshot))
            assert screenshot.stat().st_size > 5_000
        finally:
            context.close()
    assert not problems.errors, "\n".join(problems.errors)


# Voila's reveal bundle calls MathJax 2's MathJax.Hub on every slide change, and Voila loads
# MathJax 3 (no Hub): the page reports it, the math is typeset all the same.
REVEAL_HARMLESS = ("cdn.jsdelivr.net/npm/@fortawesome/", "reading 'Hub'", "Se is not a function")


@pytest.mark.browser
def test_make_slides_shows_each_section_as_a_slide_with_live_widgets(slides, private_tmp):
    from playwright.sync_api import expect, sync_playwright

    from naskit._slides import as_slides

    lesson = json.loads(next((REPO / "lessons").glob("02_*.ipynb")).read_text(encoding="utf-8"))
    kinds = [c["metadata"]["slideshow"]["slide_type"] for c in as_slides(lesson)["cells"]]
    with sync_playwright() as p:
        context, page = open_page(p, private_tmp, {"width": 1280, "height": 720})
        problems = PageProblems(page, harmless=REVEAL_HARMLESS)
        try:
            page.goto(slides, timeout=180_000)
            expect(page.locator(".naskit-controller-inspector").first).to_be_attached(
                timeout=180_000)  # the lesson has run
            assert page.locator(".jp-InputArea-editor").count() == 0  # no code shown
            # one top-level section per slide, holding its sub-slides
            top = page.locator(".reveal .slides > section")
            assert top.count() == kinds.count("slide"), (top.count(), kinds.count("slide"))
            assert page.locator(".reveal .slides > section > section").count() == \
                kinds.count("slide") + kinds.count("subslide")
            shown = page.locator(".reveal .slides > section.present > section.present")
            assert shown.inner_text().lstrip().startswith("Lesson 2")
            # the arrow keys walk the slides until the widget's slide is the one shown
            inspector = shown.locator(".naskit-controller-inspector")
            for _ in range(kinds.count("slide") + kinds.count("subslide")):
                if inspector.count():
                    break
                page.keyboard.press("ArrowRight")
                page.wait_for_timeout(300)
            inspector = inspector.first
            expect(inspector).to_be_visible()
            # a section longer than the slide scrolls inside it (the widget starts below the fold)
            height = shown.evaluate("s => [s.scrollHeight, s.clientHeight]")
            assert height[1] <= 720 < height[0], height
            summary = inspector.locator(".naskit-controller-summary")
            before = summary.inner_text()
            inspector.get_by_role("button", name="step", exact=True).click()
            expect(summary).not_to_have_text(before)  # the kernel answered: the widget is live
            page.screenshot(path=str(private_tmp / "slide.png"))
        finally:
            context.close()
    assert not problems.errors, "\n".join(problems.errors)


def test_slides_start_at_headings():
    from naskit._slides import as_slides, slide_type

    md = lambda text: {"cell_type": "markdown", "metadata": {}, "source": text}
    code = {"cell_type": "code", "metadata": {"tags": ["x"]}, "source": "# a comment", "outputs": []}
    cells = [md("intro without a heading"), md("# Lesson"), md(["\n", "## 1 · A section\n", "text"]),
             code, md("### detail"), md("text with # inside"), md("####### not a heading"),
             md("#### deep")]
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    out = as_slides(nb)
    assert [c["metadata"]["slideshow"]["slide_type"] for c in out["cells"]] == \
        ["slide", "slide", "slide", "-", "subslide", "-", "-", "subslide"]
    assert out["cells"][3]["metadata"]["tags"] == ["x"]  # other metadata kept
    assert "slideshow" not in nb["cells"][0]["metadata"]  # the input is left alone
    assert slide_type(code) == "-"
    for bad in ([], {"cells": "x"}, None):
        with pytest.raises(ValueError, match="not a notebook"):
            as_slides(bad)


def test_naskit_slides_writes_the_copy_or_names_the_problem(tmp_path):
    from naskit.cli import main

    lesson = next((REPO / "lessons").glob("06_*.ipynb"))
    assert main(["slides", str(lesson), "--out", str(tmp_path / "s")]) == 0
    written = json.loads((tmp_path / "s" / lesson.name).read_text(encoding="utf-8"))
    original = json.loads(lesson.read_text(encoding="utf-8"))
    assert [c["source"] for c in written["cells"]] == [c["source"] for c in original["cells"]]
    assert sum(c["metadata"]["slideshow"]["slide_type"] == "slide" for c in written["cells"]) >= 5
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [\n', encoding="utf-8")
    with pytest.raises(SystemExit) as e:
        main(["slides", str(broken), "--out", str(tmp_path / "s")])
    assert e.value.code == 1
    with pytest.raises(SystemExit):
        main(["slides", "77", "--out", str(tmp_path / "s")])


def test_make_slides_uses_the_slides_template():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    out = subprocess.run(["make", "-n", "--no-print-directory", "slides-serve", "LESSON=06",
                          "SLIDES_DIR=/tmp/x"], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout
    assert "naskit slides \"lessons/06_darts.ipynb\" --out \"/tmp/x\"" in out
    assert "--template=naskit-slides" in out and "/tmp/x/06_darts.ipynb" in out
    assert "--preheat_kernel=True" in out and "NASKIT_PROJECTOR=1" in out
    conf = json.loads((REPO / "share/jupyter/voila/templates/naskit-slides/conf.json").read_text())
    prefix = conf["traitlet_configuration"]["resources"]["reveal"]["url_prefix"]
    static = REPO / "share/jupyter/voila/templates/naskit-slides/static"
    assert prefix == "/voila/templates/naskit-slides/static"
    assert (static / "dist" / "reveal.css").is_file()
    assert (static / "dist" / "theme" / "naskit.css").is_file()
    # nothing the slides load comes from the web but Voila's own Font Awesome link
    theme = (static / "dist" / "theme" / "naskit.css").read_text()
    assert "http" not in theme and "@import" not in theme


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
