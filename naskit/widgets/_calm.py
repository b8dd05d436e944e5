"""Widget callbacks that never raise into the kernel: a failure is shown, calmly, in the widget."""
from __future__ import annotations

import functools
import html

__all__ = ["calm", "error_html"]

ERROR_COLOR = "#b00020"


def error_html(exc: BaseException, what: str = "This view could not be updated") -> str:
    """One readable line about ``exc`` for an HTML widget (no traceback, no library paths)."""
    return (f"<span style='color:{ERROR_COLOR}'>{what}: {html.escape(type(exc).__name__)}: "
            f"{html.escape(str(exc))}</span>")


def calm(area: str):
    """Decorate a widget callback: an exception is kept as ``error_`` and shown in ``self.<area>``.

    Callbacks run inside the front end's event loop, where an exception would surface as a red
    traceback in the log or not at all, while the view kept showing the previous state.
    """
    def wrap(method):
        @functools.wraps(method)
        def inner(self, *args, **kwargs):
            self.error_ = None
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:  # a callback: show the problem, never raise into the kernel
                self.error_ = exc
                getattr(self, area).value = error_html(exc)
                return None
        return inner
    return wrap
