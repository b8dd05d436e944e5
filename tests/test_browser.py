"""Every lesson in a real browser: JupyterLab runs it, a learner operates its main widget.

One JupyterLab server on loopback serves copies of the lessons from a temporary folder (JupyterLab's
autosave can never write outputs into the committed notebooks). For each lesson, headless Chromium
at a laptop's 1280x720 opens it, runs all cells in fast mode, waits until every code cell has run,
then operates the lesson's main widget and checks that the view changed to what naskit itself
computes here, in the test process. Any error output in the page, any error a widget shows, any
console error or uncaught page error fails the test. Each test measures its widget (it must fit
the laptop screen) and saves a screenshot of it into ``$NASKIT_GALLERY`` (default: a pytest
temporary folder); ``make gallery`` sets it to docs/gallery and writes docs/gallery/README.md.

Chromium is Debian's /usr/bin/chromium driven by Playwright for Python (see tests/_browser.py);
without them these tests skip, or under CI fail.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from _browser import (LAPTOP, PageProblems, box, content_width, decide, delete_sessions, free_port, in_ci,
                      missing_tools, open_page, private_folder, require, screenshot, smallest_text, stop,
                      wait_for, wait_for_connected_kernel)
from _lessons import hollow

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "lessons").glob("0[0-9]_*.ipynb"))
# The longest four run in tests/test_browser_more.py: pytest-xdist keeps a file in one process, so
# two files let both processes drive a browser (each with a JupyterLab of its own).
LATER = [p for p in LESSONS if p.name[:2] in ("05", "06", "07", "08")]
FIRST = [p for p in LESSONS if p not in LATER]
# The smallest text a lesson's widget may show at 1280x720, HTML or figure, in CSS px (issue: readable
# everywhere); tests/_browser.py's smallest_text measures it.
MIN_TEXT_PX = 10
RUN_ALL_TIMEOUT = 420  # seconds for a lesson's Run All in fast mode (lesson 8 took 270 s on a busy machine)

# What the page shows of the run. JupyterLab renders an error output (a traceback) through its
# stderr renderer, so the page tells it from other stderr text only by the traceback's header line;
# the saved notebook (see _saved_errors) tells it for certain. A widget view that JupyterLab's
# widget manager could not render says so in its output.
PAGE_STATE = """() => {
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
  const prompts = cells.map(c => (c.querySelector('.jp-InputPrompt') || {}).textContent || '');
  const errors = [];
  for (const out of document.querySelectorAll('.jp-OutputArea-output')) {
    const text = out.innerText || '';
    const traceback = out.dataset.mimeType === 'application/vnd.jupyter.stderr'
      && /Traceback \\(most recent call last\\)/.test(text);
    if (traceback || /Error displaying widget|Error rendering|Failed to load model class/.test(text)) {
      errors.push(text.slice(-3000));
    }
  }
  const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return {cells: cells.length, ran: prompts.filter(p => /\\[\\d+\\]/.test(p)).length,
          busy: prompts.filter(p => p.includes('*')).length, errors,
          idle: indicator !== null && indicator.dataset.status === 'idle'};
}"""


def gallery_folder(tmp_path_factory) -> Path:
    folder = os.environ.get("NASKIT_GALLERY", "")
    return Path(folder).resolve() if folder else tmp_path_factory.mktemp("gallery")


@pytest.fixture(scope="module")
def lab():
    """A JupyterLab server on loopback serving copies of every lesson; yields (url, folder)."""
    require()
    if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None:
        reason = "jupyter-lab is not installed next to this Python (pip install jupyterlab)"
        pytest.fail(reason) if in_ci() else pytest.skip(reason)
    with private_folder("naskit-lab-") as tmp:
        yield from _serve(tmp)


def _serve(tmp: Path):
    root = tmp / "notebooks"
    root.mkdir()
    for lesson in LESSONS:
        shutil.copy(lesson, root / lesson.name)
    settings = tmp / "app-settings"
    settings.mkdir()
    # The news pop-up would cover the notebook (and fetch from the web); a kernel picker dialog
    # sometimes comes up instead of the notebook's kernel starting; windowing would drop cells
    # scrolled out of view from the page, where no locator finds them. Autosave off: the server
    # writes a save through one fixed temporary name (.~name) and renames it, so an autosave
    # racing the test's own save loses the rename ("File Save Error ... No such file or
    # directory") and its dialog covers the page; the test saves once, when it needs to. Plain
    # (not atomic) writing: with atomic writing, a read that meets the half-written file makes the
    # server move it aside and restore its backup, which pulls the file from under the save that
    # is writing it (the same dialog); a plain write only makes that read fail, and it is retried.
    (settings / "overrides.json").write_text(json.dumps({
        "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                        "checkForUpdates": False},
        "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
        "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none",
                                                   "autoStartDefaultKernel": True}}))
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "NASKIT_PROJECTOR")}
    # One thread per kernel: a 2-thread torch pool on a busy machine runs 100x slower.
    path = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(NASKIT_FAST="1", OMP_NUM_THREADS="1", PYTHONPATH=path,
               JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_DATA_DIR=str(tmp / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), IPYTHONDIR=str(tmp / "ipython"))
    port = free_port()
    cmd = [str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser", "--allow-root",
           "--ServerApp.ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
           "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
           f"--LabApp.app_settings_dir={settings}", f"--LabApp.user_settings_dir={tmp / 'user'}",
           f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
           "--FileContentsManager.use_atomic_writing=False"]
    log = open(tmp / "jupyter.log", "w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/api/status", server, 60)
        yield url, tmp
    finally:
        stop(server)
        log.close()


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    return gallery_folder(tmp_path_factory)


def _run_all(page, context, url: str, name: str) -> None:
    """Open lesson ``name``, run all cells, return once every code cell has run and the kernel idles."""
    from playwright.sync_api import expect

    page.goto(f"{url}/lab/tree/{name}?reset")
    expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_be_visible(
        timeout=60_000)
    wait_for_connected_kernel(context, url, 60)
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
    # Done when each code cell has an execution count, none is queued or running ([*]) and the
    # kernel says idle, twice in a row half a second apart (an idle gap between two cells' runs
    # lasts far less). Idle with cells left unrun means an error stopped Run All.
    deadline, calm, state = time.monotonic() + RUN_ALL_TIMEOUT, 0, {}
    while time.monotonic() < deadline:
        state = page.evaluate(PAGE_STATE)
        assert not state["errors"], f"{name}: error output in the page:\n" + "\n".join(state["errors"])
        idle = state["idle"] and not state["busy"]
        calm = calm + 1 if idle else 0
        if calm >= 2 and state["ran"] == state["cells"] > 0:
            break
        if calm >= 6:  # three seconds idle with cells not run: Run All stopped
            errors = _saved_errors(page, context, url, name)
            raise AssertionError(f"{name}: Run All stopped after {state['ran']} of {state['cells']} "
                                 f"code cells: {errors or 'no error output'}")
        time.sleep(0.5)
    else:
        raise TimeoutError(f"{name}: Run All did not finish within {RUN_ALL_TIMEOUT} s: {state}")
    errors = _saved_errors(page, context, url, name)
    assert not errors, f"{name}: error outputs: {errors}"


def _saved_errors(page, context, url: str, name: str) -> list[str]:
    """Save the notebook (the temporary copy) and list its error outputs as 'ename: evalue', and
    outputs that say a file is missing (tests/_lessons.py)."""
    page.locator(".lm-MenuBar-item", has_text="File").first.click()
    page.locator(".lm-Menu-item[data-command='docmanager:save']").click()
    deadline, cells = time.monotonic() + 30, []
    while time.monotonic() < deadline and page.locator(".jp-mod-dirty").count():
        time.sleep(0.2)  # reading while the server writes would meet a half-written file
    while time.monotonic() < deadline:
        dirty = page.locator(".jp-mod-dirty").count()  # before reading: the file is then saved
        reply = context.request.get(f"{url}/api/contents/{name}?content=1")
        content = reply.json().get("content") if reply.ok else None
        if content:  # (while the file is being written the server can answer an error)
            cells = [c for c in content["cells"] if c["cell_type"] == "code"]
            if all(c.get("execution_count") for c in cells) or not dirty:
                break
        time.sleep(0.5)
    errors = [f"cell {i}: {o['ename']}: {o['evalue']}" for i, c in enumerate(cells)
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    return errors + [f"cell {i} printed {missing}, a hollow section" for i, c in enumerate(cells)
                     if (missing := hollow(c.get("outputs")))]


def _text(markup: str) -> str:
    """A widget's HTML value as the page's textContent (tags, <br> too, dropped; entities read)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", markup))).strip()


# -- each lesson's main widget: how to find it, operate it and what it must show then ---------
def _mini():
    from naskit import bench
    return bench.load("mini")


def lesson_00(page, expect):
    from naskit.widgets import BilevelExplorer

    b = _mini()
    # the lesson's handful of cells in fast mode: N_CELLS = 4, SEED = 0
    ours = BilevelExplorer(b, [b.space.sample(seed=i) for i in range(4)])
    ours.objective = "training loss"
    root = page.locator(".widget-vbox:has(> .naskit-bilevel-image)").first
    image, summary = root.locator("img.naskit-bilevel-image"), root.locator(".naskit-bilevel-summary")
    before = image.get_attribute("src")
    root.locator(".naskit-bilevel-objective button", has_text="training loss").click()
    expect(image).not_to_have_attribute("src", before)
    expect(summary).to_have_text(_text(ours.summary.value))
    return root, "BilevelExplorer"


def lesson_01(page, expect):
    from naskit.space import Arch, NB201Space

    bad = "|nor_conv_3x3~0|+|skip_connect~0|conv_7x7~1|+|none~0|none~1|none~2|"
    with pytest.raises(ValueError) as raised:
        NB201Space().parse(bad)
    root = page.locator(".naskit-cell-builder").first
    info, image = root.locator(".naskit-cell-info"), root.locator("img.naskit-cell-image")
    error = root.locator(".naskit-cell-error")
    expect(info).to_contain_text("isomorphism class")
    before = image.get_attribute("src")
    picker = root.locator(".naskit-op-picker select").first
    assert picker.input_value() != "none"
    start = Arch.from_string(info.locator("code").first.inner_text())
    expected = str(start.with_op(0, "none"))
    picker.select_option("none")
    expect(info).to_contain_text(expected)
    expect(image).not_to_have_attribute("src", before)
    expect(error).to_be_empty()
    text = root.locator(".naskit-cell-text input")
    text.fill(bad)
    text.press("Enter")
    expect(error).to_contain_text(str(raised.value))
    expect(info).to_contain_text(expected)  # the last valid cell stays
    text.fill(expected)  # back to a valid cell, so that the widget shows no error at the end
    text.press("Enter")
    expect(error).to_be_empty()
    return root, "CellBuilder"


def lesson_02(page, expect):
    from naskit.search import Reinforce
    from naskit.widgets import ControllerInspector

    b = _mini()
    ours = ControllerInspector(Reinforce(b.space, lr=0.05, seed=0), b, epoch=b.final_epoch,
                               n_steps=50)
    ours.step(20 + 1)  # the lesson's 20 updates in fast mode, then one press of "step"
    root = page.locator(".naskit-controller-inspector").first
    image, summary = root.locator("img.naskit-controller-policy"), root.locator(".naskit-controller-summary")
    expect(summary).to_contain_text("20 updates")
    before = image.get_attribute("src")
    root.get_by_role("button", name="step", exact=True).click()
    expect(summary).to_contain_text("21 updates")
    expect(summary).to_have_text(_text(ours.summary.value))
    expect(image).not_to_have_attribute("src", before)
    return root, "ControllerInspector"


def lesson_03(page, expect):
    from naskit.search import RegularizedEvolution, run
    from naskit.widgets import EvolutionStepper

    b = _mini()
    history = run(RegularizedEvolution(b.space, population_size=10, sample_size=3, seed=0), b,
                  epoch=b.final_epoch, report_epoch=b.final_epoch, report="test", max_trials=100)
    ours = EvolutionStepper(RegularizedEvolution(b.space, population_size=10, sample_size=3, seed=0),
                            history=history)
    ours.step = 31  # the lesson shows step 30; the learner moves the slider one step on
    root = page.locator(".naskit-evolution-stepper").first
    image, summary = root.locator("img.naskit-evolution-child"), root.locator(".naskit-evolution-summary")
    expect(summary).to_contain_text("step 30")
    before = image.get_attribute("src")
    handle = root.locator(".widget-slider .noUi-handle").first
    handle.focus()
    handle.press("ArrowRight")
    expect(summary).to_have_text(_text(ours.summary.value))
    expect(image).not_to_have_attribute("src", before)
    root.locator(".lm-TabBar-tab", has_text="parent and child").click()  # the drawings, measured
    expect(image).to_be_visible()
    return root, "EvolutionStepper"


def _solution(page, expect, name: str):
    from naskit.exercises import solution

    root = page.locator(".widget-vbox:has(> .naskit-solution-button)").first
    view = root.locator(".naskit-solution")
    expect(view).to_be_empty()
    root.get_by_role("button", name="show the solution").click()
    expect(view.locator("pre")).to_have_text(solution(name))
    expect(root.get_by_role("button", name="hide the solution")).to_be_visible()
    return root, "Solution"


def lesson_04(page, expect):
    return _solution(page, expect, "kendall_tau")


def lesson_05(page, expect):
    from naskit.datasets import load
    from naskit.widgets import RankingComparer

    b = _mini()
    # The lesson's comparer (15 archs in fast mode); tau does not depend on the bootstrap's size.
    ours = RankingComparer(b, load(), estimators=["params"], n_archs=15, n_boot=20)
    ours.compute()
    tau = {r.name: r.tau for r in ours.comparison_}
    assert set(tau) == {"params", "flops"}  # the baselines, always scored
    root = page.locator(".naskit-ranking-comparer").first
    table, image = root.locator(".naskit-ranking-table"), root.locator("img.naskit-ranking-scatter")
    expect(table.locator("tr", has_text="synflow")).to_have_count(1)
    before = image.get_attribute("src")
    root.locator(".naskit-ranking-estimators select").select_option("params")
    expect(table.locator("tr", has_text="synflow")).to_have_count(0)
    rows = table.locator("tr:has(td)")
    expect(rows).to_have_count(2)
    for name, t in tau.items():
        expect(table.locator("tr", has_text=name).locator("td").nth(1)).to_have_text(f"{t:.2f}")
    root.locator(".naskit-ranking-tabs .lm-TabBar-tab", has_text="scores vs truth").click()
    root.locator(".naskit-ranking-focus select").select_option("params")
    expect(image).not_to_have_attribute("src", before)
    assert root.locator(".naskit-ranking-progress span[style*='b00020']").count() == 0
    return root, "RankingComparer"


def lesson_06(page, expect):
    root = page.locator(".naskit-alpha-watcher").first
    status = root.locator(".naskit-alpha-status")
    image = root.locator("img.naskit-alpha-heatmap-cell, img[class*='naskit-alpha-heatmap']").first
    steps = re.search(r"step (\d+) of (\d+)", status.inner_text())
    assert steps, status.inner_text()
    made, total = int(steps[1]), int(steps[2])
    before = image.get_attribute("src")
    root.locator("button.naskit-alpha-step").click()  # steps_per_click=5 in the lesson
    expect(status).to_contain_text(f"step {min(made + 5, total)} of {total}", timeout=120_000)
    expect(image).not_to_have_attribute("src", before, timeout=60_000)
    expect(status).not_to_contain_text("error at step")
    return root, "AlphaWatcher"


def lesson_07(page, expect):
    from naskit.space import Arch

    b = _mini()
    root = page.locator(".naskit-latency-explorer").first
    picker, summary = root.locator(".naskit-latency-picker select"), root.locator(".naskit-latency-summary")
    image = root.locator("img.naskit-latency-distribution")
    shown = picker.evaluate("s => s.selectedIndex")  # the lesson shows its worst prediction
    other = 0 if shown != 0 else 1
    label = picker.locator("option").nth(other).inner_text()  # "i: median ms  cell"
    arch = Arch.from_string(label.split()[-1])
    before = image.get_attribute("src")
    picker.select_option(index=other)
    expect(summary.locator("code").first).to_have_text(str(arch))
    expect(summary).to_contain_text(f"accuracy {b.values([arch])[0]:.2f}%")
    expect(image).not_to_have_attribute("src", before)
    return root, "LatencyExplorer"


def lesson_08(page, expect):
    from naskit.ofa import OFAArch

    root = page.locator(".naskit-ofa-picker").first
    info, image = root.locator(".naskit-ofa-picker-info"), root.locator("img.naskit-ofa-picker-image")
    start = OFAArch.from_string(info.locator("code").first.inner_text())
    slider = root.locator(".widget-slider", has_text="kernel 0")
    before_value = int(slider.locator(".widget-readout").inner_text())
    before = image.get_attribute("src")
    handle = slider.locator(".noUi-handle")
    handle.focus()
    handle.press("ArrowLeft")  # one kernel size smaller in stage 0 (it starts at the largest)
    expect(slider.locator(".widget-readout")).not_to_have_text(str(before_value))
    kernel = int(slider.locator(".widget-readout").inner_text())
    assert kernel < before_value
    kernels = ((kernel,) * start.depths[0],) + start.kernels[1:]
    expected = OFAArch(kernels, start.expands)
    expect(info.locator("code").first).to_have_text(str(expected))
    expect(image).not_to_have_attribute("src", before)
    return root, "SubnetPicker"


def lesson_09(page, expect):
    return _solution(page, expect, "top_k_agreement")


OPERATE = {f"{i:02d}": globals()[f"lesson_{i:02d}"] for i in range(10)}


def _record(folder: Path, lesson: Path, widget: str, size: dict, image: Path, seconds: float):
    """Add this lesson's widget size, screenshot and time to ``folder``/sizes.json."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sizes.json"
    records = json.loads(path.read_text()) if path.exists() else {}
    title = next((line.lstrip("# ").strip() for cell in json.loads(lesson.read_text())["cells"]
                  if cell["cell_type"] == "markdown" for line in "".join(cell["source"]).splitlines()
                  if line.startswith("# ")), lesson.stem)
    records[lesson.stem] = {"title": title, "widget": widget, **size, "image": image.name,
                            "seconds": round(seconds, 1)}
    path.write_text(json.dumps(dict(sorted(records.items())), indent=1) + "\n")


@pytest.mark.browser
@pytest.mark.parametrize("lesson", FIRST, ids=[p.name[:2] for p in FIRST])
def test_lesson_in_jupyterlab(lab, gallery, lesson):
    check_lesson(lab, gallery, lesson)


def check_lesson(lab, gallery, lesson: Path) -> None:
    """Run ``lesson`` in JupyterLab, operate its main widget, check and photograph it."""
    from playwright.sync_api import expect, sync_playwright

    operate = OPERATE.get(lesson.name[:2])
    assert operate is not None, f"no browser check for {lesson.name}: add lesson_{lesson.name[:2]}"
    url, folder = lab
    started = time.monotonic()
    with sync_playwright() as p:
        context, page = open_page(p, folder / lesson.stem, LAPTOP)
        # The test saves the notebook while JupyterLab may be reading it: on a loaded machine
        # that read can answer 404 for an instant (the file is there before and after; the saved
        # copy is checked for error outputs). Only those two messages, and only for this file.
        problems = PageProblems(page, harmless=(f"/api/contents/{lesson.name}?",
                                                f"No such file or directory: {lesson.name}"))
        try:
            _run_all(page, context, url, lesson.name)
            root, widget = operate(page, expect)
            size = box(root)
            size["content_width"] = content_width(root)
            text = smallest_text(root)
            size["smallest_text_px"] = min(px for px, _ in text.values() if px is not None)
            image = screenshot(page, root, gallery, lesson.stem)
            state = page.evaluate(PAGE_STATE)
            assert not state["errors"], "error output in the page:\n" + "\n".join(state["errors"])
        finally:
            delete_sessions(context, url)
            context.close()
    seconds = time.monotonic() - started
    _record(gallery, lesson, widget, size, image, seconds)
    print(f"{lesson.name}: {widget} {size['width']}x{size['height']} px, {seconds:.0f} s, {image}, "
          f"smallest text {text}")
    assert image.stat().st_size > 5_000
    assert not problems.errors, "\n".join(problems.errors)
    assert size["width"] <= LAPTOP["width"] and size["height"] <= LAPTOP["height"], (
        f"{widget} is {size['width']}x{size['height']} px: larger than a "
        f"{LAPTOP['width']}x{LAPTOP['height']} laptop screen")
    for kind, (px, where) in text.items():
        assert px is None or px >= MIN_TEXT_PX, (
            f"{widget}: its smallest {kind} text ({where!r}) is {px} px high on a 1280x720 screen; "
            f"at least {MIN_TEXT_PX} px is readable")
    assert size["content_width"] <= size["width"] + 2, (
        f"{widget}'s parts reach {size['content_width']} px into a {size['width']} px box: the "
        "notebook cuts off the rest")


# -- whether the browser tests run, skip or fail ---------------------------------------------
def test_browser_tests_skip_with_how_to_enable_them():
    verdict, reason = decide(["chromium", "playwright"], ci=False)
    assert verdict == "skip"
    assert "apt-get install chromium" in reason and "pip install playwright" in reason


def test_browser_tests_fail_under_ci_when_tools_are_missing():
    verdict, reason = decide(["playwright"], ci=True)
    assert verdict == "fail" and "pip install playwright" in reason and "chromium" not in reason
    assert decide([], ci=True) == ("run", "") == decide([], ci=False)


def test_ci_flag_and_missing_tools(tmp_path):
    assert in_ci({"CI": "true"}) and in_ci({"CI": "1"})
    assert not any(in_ci(e) for e in ({}, {"CI": ""}, {"CI": "false"}, {"CI": "0"}))
    fake = tmp_path / "chromium"
    assert missing_tools(str(fake), modules=("json", "no_such_module_xyz")) == \
        ["chromium", "no_such_module_xyz"]
    fake.write_text("")
    assert missing_tools(str(fake), modules=("json",)) == []


def test_require_skips_or_fails(monkeypatch):
    import _browser

    monkeypatch.setattr(_browser, "missing_tools", lambda modules=(): ["chromium"])
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        require()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require()


def test_gallery_index_has_a_heading_and_image_per_lesson(tmp_path):
    import _gallery

    records = {"01_b": {"title": "Search spaces", "widget": "CellBuilder", "width": 848,
                        "height": 528, "image": "01_b.png", "seconds": 60.4},
               "00_a": {"title": "AutoML", "widget": "BilevelExplorer", "width": 848,
                        "height": 900, "image": "00_a.jpg", "seconds": 40}}
    page = _gallery.index(records)
    assert page.index("## AutoML") < page.index("## Search spaces")
    assert "`lessons/00_a.ipynb`: `BilevelExplorer`, 848x900 px" in page
    assert "![BilevelExplorer in lesson 00](00_a.jpg)" in page and "(01_b.png)" in page
    assert page.count("taller or wider than 1280x720") == 1  # only the 900 px one
    (tmp_path / "sizes.json").write_text(json.dumps(records))
    assert _gallery.main(str(tmp_path)) == 1  # the screenshots are missing
    for r in records.values():
        (tmp_path / r["image"]).write_bytes(b"x")
    assert _gallery.main(str(tmp_path)) == 0
    assert (tmp_path / "README.md").read_text() == page
