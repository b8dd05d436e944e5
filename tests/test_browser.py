"""Lesson 1 in a real browser: JupyterLab runs the notebook, a learner operates the CellBuilder.

Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright for Python, as measured in the
project's notes on Jupyter testing. The lesson is copied to a temporary folder so that JupyterLab's
autosave can never write outputs into the committed notebook.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[1]
LESSON = REPO / "lessons" / "01_search_spaces.ipynb"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 30.0, any_answer: bool = False,
              name: str = "JupyterLab") -> None:
    """Wait until ``url`` answers 200 (or, with ``any_answer``, any HTTP status at all)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            if any_answer:
                return
            time.sleep(0.2)
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{name} did not answer {url} within {timeout:.0f} s")


def _open_page(playwright, tmp_path):
    """Headless Chromium with a fresh profile: (context, page)."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS,
        viewport={"width": 1400, "height": 1000})
    return context, context.pages[0] if context.pages else context.new_page()


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on loopback serving a copy of lesson 1; yields its base URL."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("jupyter-lab is not installed next to this Python")

    root = tmp_path / "notebooks"
    root.mkdir()
    shutil.copy(LESSON, root / LESSON.name)
    settings = tmp_path / "app-settings"
    settings.mkdir()
    # The news pop-up would cover the notebook (and fetch from the web); a kernel picker dialog
    # sometimes comes up instead of the notebook's kernel starting; windowing would drop cells
    # scrolled out of view from the page, where no locator finds them.
    (settings / "overrides.json").write_text(json.dumps({
        "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                        "checkForUpdates": False},
        "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none",
                                                   "autoStartDefaultKernel": True}}))
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    # One thread per kernel: a 2-thread torch pool on a busy machine runs 100x slower.
    path = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(NASKIT_FAST="1", OMP_NUM_THREADS="1", PYTHONPATH=path,
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_DATA_DIR=str(tmp_path / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), IPYTHONDIR=str(tmp_path / "ipython"))
    port = _free_port()
    cmd = [str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser", "--allow-root",
           "--ServerApp.ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
           "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
           f"--LabApp.app_settings_dir={settings}", f"--LabApp.user_settings_dir={tmp_path / 'user'}",
           f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}"]
    log = open(tmp_path / "jupyter.log", "w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/api/status", server)
        yield url
    finally:
        _stop(server)
        log.close()


def _wait_for_connected_kernel(context, url: str, timeout: float = 30.0) -> None:
    """The page can look idle before its kernel's websocket is up; Run All then runs nothing."""
    deadline, kernels = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        kernels = context.request.get(f"{url}/api/kernels").json()
        if any(k["connections"] > 0 and k["execution_state"] == "idle" for k in kernels):
            return
        time.sleep(0.2)
    raise TimeoutError(f"no idle kernel with a connection after {timeout:.0f} s: {kernels}")


def _delete_sessions(context, url: str) -> None:
    """Kernels outlive the page: shut them down through the REST API."""
    xsrf = next((c["value"] for c in context.cookies(url) if c["name"] == "_xsrf"), "")
    headers = {"X-XSRFToken": xsrf}
    for session in context.request.get(f"{url}/api/sessions", headers=headers).json():
        context.request.delete(f"{url}/api/sessions/{session['id']}", headers=headers)


def test_lesson1_cell_builder_in_jupyterlab(lab, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from naskit.space import Arch, NB201Space

    bad = "|nor_conv_3x3~0|+|skip_connect~0|conv_7x7~1|+|none~0|none~1|none~2|"
    with pytest.raises(ValueError) as raised:
        NB201Space().parse(bad)
    screenshot = tmp_path / "cell_builder.png"

    with sync_playwright() as p:
        context, page = _open_page(p, tmp_path)
        try:
            page.goto(f"{lab}/lab/tree/{LESSON.name}?reset")
            idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
            expect(idle).to_be_visible(timeout=30_000)
            _wait_for_connected_kernel(context, lab)

            page.locator(".lm-MenuBar-item", has_text="Run").first.click()
            page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
            # The last cell prints this: every cell above it has run.
            last = page.locator(".jp-OutputArea-output", has_text="Fill in cell_space_size above")
            expect(last).to_be_visible(timeout=30_000)

            info = page.locator(".naskit-cell-info").first
            image = page.locator("img.naskit-cell-image").first
            error = page.locator(".naskit-cell-error").first
            expect(info).to_contain_text("isomorphism class")
            src_before = image.get_attribute("src")
            picker = page.locator(".naskit-op-picker select").first
            assert picker.input_value() != "none"
            start = Arch.from_string(info.locator("code").first.inner_text())
            expected = str(start.with_op(0, "none"))
            picker.select_option("none")
            expect(info).to_contain_text(expected)
            expect(image).not_to_have_attribute("src", src_before)
            expect(error).to_be_empty()

            text = page.locator(".naskit-cell-text input").first
            text.fill(bad)
            text.press("Enter")
            expect(error).to_contain_text(str(raised.value))
            expect(info).to_contain_text(expected)  # the last valid cell stays

            page.locator(".naskit-cell-builder").first.screenshot(path=str(screenshot))
            assert screenshot.stat().st_size > 10_000
        finally:
            _delete_sessions(context, lab)
            context.close()
    print(f"screenshot: {screenshot}")
