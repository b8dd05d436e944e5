"""What the browser tests share: whether they can run, a loopback server's life, Chromium pages.

Headless Chromium is Debian's ``/usr/bin/chromium`` driven by Playwright for Python through
``executable_path`` (never a browser download). On a machine without them the browser tests skip
and say how to enable them; under CI (``CI`` set, as CI services do) they fail instead, so that a
CI machine that lost Chromium or Playwright cannot pass by skipping every browser test.
"""
from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# A laptop screen: what a student's browser window shows without scrolling.
LAPTOP = {"width": 1280, "height": 720}

ENABLE = {"chromium": "Debian: apt-get install chromium", "playwright": "pip install playwright",
          "voila": "pip install voila", "jupyterlab": "pip install jupyterlab"}


def in_ci(environ=None) -> bool:
    """Whether ``CI`` is set to anything but empty, ``0``, ``false`` or ``no``."""
    value = (os.environ if environ is None else environ).get("CI", "")
    return value.strip().lower() not in ("", "0", "false", "no")


def missing_tools(chromium: str = CHROMIUM, modules=("playwright",)) -> list[str]:
    """What the browser tests need and this machine lacks: 'chromium' and the missing modules."""
    missing = [] if Path(chromium).exists() else ["chromium"]
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except ValueError:  # a module object without a spec
            found = True
        if not found:
            missing.append(name)
    return missing


def decide(missing, ci: bool) -> tuple[str, str]:
    """``("run", "")``, or ``("skip" | "fail", reason)`` naming each missing tool and its install."""
    if not missing:
        return "run", ""
    how = "; ".join(f"{name} ({ENABLE.get(name, 'install it')})" for name in missing)
    if ci:
        return "fail", (f"CI is set but the browser tests cannot run: missing {how}. "
                        f"CI must install them (see .ci/run) rather than skip these tests")
    return "skip", f"browser tests need {how}; install them to run these tests"


def require(modules=("playwright",)) -> None:
    """Skip (or, under CI, fail) the calling test when Chromium or a module is missing."""
    verdict, reason = decide(missing_tools(modules=modules), in_ci())
    if verdict == "fail":
        pytest.fail(reason, pytrace=False)
    if verdict == "skip":
        pytest.skip(reason)


@contextlib.contextmanager
def private_folder(prefix: str):
    """A temporary folder of this test run alone, removed afterwards.

    Not pytest's tmp_path: a pytest session started meanwhile on the same machine by the same user
    prunes the older sessions' temporary folders, and would delete a served notebook or a browser
    profile under a running test.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 30.0,
             name: str = "JupyterLab") -> None:
    """Wait until ``url`` answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:  # HTTPError included: not up yet
            time.sleep(0.2)
    raise TimeoutError(f"{name} did not answer {url} within {timeout:.0f} s")


# Voila logs this once its pre-heated kernel is registered (a second or two after it starts); a
# page asked for before then gets a kernel of its own that runs the lesson beside the pool's.
POOL_FILLED = "is filled with"


def wait_for_log(log: Path, text: str, process: subprocess.Popen, timeout: float = 60.0,
                 name: str = "Voila") -> None:
    """Wait until the server's log file ``log`` contains ``text``."""
    deadline = time.monotonic() + timeout
    while text not in log.read_text(errors="replace"):
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode} before logging "
                               f"{text!r}: see {log}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} did not log {text!r} within {timeout:.0f} s: see {log}")
        time.sleep(0.1)


def open_page(playwright, folder: Path, viewport=None):
    """Headless Chromium with a fresh profile in ``folder``: (context, page)."""
    context = playwright.chromium.launch_persistent_context(
        str(folder / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS,
        viewport=viewport or {"width": 1400, "height": 1000})
    return context, context.pages[0] if context.pages else context.new_page()


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def stop_group(server: subprocess.Popen, timeout: float = 15) -> None:
    """Stop ``server`` and what it started: a process made with ``start_new_session=True`` (make and
    the Voila or JupyterLab it runs share its process group)."""
    import os
    import signal

    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        pass


# ipywidgets' Image shows its PNG through a blob: URL; read the bytes back from the page.
_READ_IMAGE = """async (img) => {
  const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
  }
  return btoa(text);
}"""


def image_bytes(img) -> bytes:
    """The bytes of the image an ``<img>`` locator shows, read back from the page."""
    import base64

    return base64.b64decode(img.evaluate(_READ_IMAGE))


def wait_for_connected_kernel(context, url: str, timeout: float = 30.0) -> None:
    """The page can look idle before its kernel's websocket is up; Run All then runs nothing."""
    deadline, kernels = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        reply = context.request.get(f"{url}/api/kernels")
        kernels = reply.json() if reply.ok else []
        # a busy server can answer an error object instead of the list: ask again
        if isinstance(kernels, list) and any(
                isinstance(k, dict) and k.get("connections", 0) > 0
                and k.get("execution_state") == "idle" for k in kernels):
            return
        time.sleep(0.2)
    raise TimeoutError(f"no idle kernel with a connection after {timeout:.0f} s: {kernels}")


def delete_sessions(context, url: str) -> None:
    """Kernels outlive the page: shut them down through the REST API."""
    xsrf = next((c["value"] for c in context.cookies(url) if c["name"] == "_xsrf"), "")
    headers = {"X-XSRFToken": xsrf}
    for session in context.request.get(f"{url}/api/sessions", headers=headers).json():
        context.request.delete(f"{url}/api/sessions/{session['id']}", headers=headers)


class PageProblems:
    """Collects a page's console errors and uncaught exceptions (``page.on``) while it is open."""

    # Harmless and not about the lessons: a page's request for /favicon.ico answers 404 (neither
    # JupyterLab nor Voila serves one, and no learner ever sees it).
    HARMLESS = ("favicon.ico",)

    def __init__(self, page, harmless=()):
        self.errors: list[str] = []
        self.harmless = self.HARMLESS + tuple(harmless)
        page.on("console", self._console)
        page.on("pageerror", self._page_error)

    def _page_error(self, exc):
        text = f"page error: {exc}"
        if not any(h in text for h in self.harmless):
            self.errors.append(text)

    def _console(self, message):
        if message.type != "error":
            return
        where = message.location.get("url", "") if message.location else ""
        text = f"console error: {message.text} ({where})"
        if not any(h in text for h in self.harmless):
            self.errors.append(text)


# How far right a widget's rendered parts reach: an image or text wider than the widget's own box
# is cut off by the notebook (no scroll bar), so the learner never sees that part.
_CONTENT_WIDTH = """root => {
    const r = root.getBoundingClientRect();
    let right = r.right;
    for (const el of root.querySelectorAll(
            'img, canvas, button, select, input, .widget-html-content > *, .widget-label')) {
        const b = el.getBoundingClientRect();
        if (b.width > 0 && b.height > 0) right = Math.max(right, b.right);
    }
    return Math.round(right - r.left);
}"""


def content_width(locator) -> int:
    """The width, in CSS px, from the widget's left edge to the right edge of its widest visible part."""
    return locator.evaluate(_CONTENT_WIDTH)


def box(locator) -> dict:
    """The rendered size of ``locator`` (its whole box, also the part below the fold), in CSS px."""
    b = locator.bounding_box()
    assert b is not None, f"{locator} is not rendered"
    return {"width": round(b["width"]), "height": round(b["height"])}


# A PNG over this is saved again as a JPEG of this quality (screenshots of tall widgets).
MAX_PNG_BYTES = 250_000
JPEG_QUALITY = 70


def screenshot(page, locator, folder: Path, stem: str) -> Path:
    """Save ``locator``'s screenshot as ``stem``.png, or .jpg when the PNG would be too large.

    JupyterLab's page never scrolls (its notebook panel does), so the part of a widget below the
    window would come out blank: a widget taller than the window is shot in a window made taller
    for the shot, then the window gets its size back.
    """
    folder.mkdir(parents=True, exist_ok=True)
    png, jpg = folder / f"{stem}.png", folder / f"{stem}.jpg"
    for old in (png, jpg):
        old.unlink(missing_ok=True)
    size = page.viewport_size
    height = box(locator)["height"]
    if height > size["height"] - 200:
        page.set_viewport_size({"width": size["width"], "height": height + 300})
    try:
        locator.scroll_into_view_if_needed()
        locator.screenshot(path=str(png), animations="disabled")
        if png.stat().st_size > MAX_PNG_BYTES:
            png.unlink()
            locator.screenshot(path=str(jpg), type="jpeg", quality=JPEG_QUALITY,
                               animations="disabled")
    finally:
        page.set_viewport_size(size)
    return png if png.exists() else jpg


# The smallest text a widget shows: its HTML text (computed font size of every element that holds
# visible text) and its figures (each PNG records its smallest text's height in its own pixels,
# naskit/plot/_textsize.py; the page may show it smaller: times shown width over PNG width).
_HTML_TEXT = """(root) => {
  let least = null, where = '';
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const px = parseFloat(style.fontSize);
    if (least === null || px < least) { least = px; where = node.textContent.trim().slice(0, 40); }
  }
  return [least, where];
}"""

_SHOWN = """(img) => img.getClientRects().length && img.naturalWidth
  ? [img.getBoundingClientRect().width, img.naturalWidth] : null"""


def smallest_text(locator) -> dict:
    """The smallest text ``locator`` shows, in CSS px: {'html': (px, text), 'figure': (px, which)};
    a figure without a recorded size (not drawn by naskit) is left out."""
    from naskit.plot._textsize import TEXT_KEY, read_text_chunk

    html_px, text = locator.evaluate(_HTML_TEXT)
    figure = (None, "")
    for img in locator.locator("img").all():
        size = img.evaluate(_SHOWN)
        recorded = read_text_chunk(image_bytes(img), TEXT_KEY) if size else None
        if recorded is None:
            continue
        px = float(recorded) * size[0] / size[1]
        if figure[0] is None or px < figure[0]:
            figure = (round(px, 1), img.get_attribute("class") or "")
    return {"html": (html_px, text), "figure": figure}
