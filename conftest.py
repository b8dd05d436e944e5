"""Lesson runs (nbval): a cell whose output says a file is missing fails, even if it raised nothing.

A lesson must never print "not found" in place of a section: every file a lesson reads ships with
naskit. Lessons used to catch a missing table and print the error, which passed CI while a
student saw a hollow section; this check turns such output into a failure.
"""
import re

import pytest

HOLLOW = re.compile(r"not found|download=True|FileNotFoundError|No such file|are skipped|"
                    r"not installed", re.IGNORECASE)


def _texts(outputs):
    for out in outputs or ():
        if "text" in out:
            yield "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
        for key in ("text/plain", "text/html", "text/markdown"):
            value = out.get("data", {}).get(key)
            if value:
                yield "".join(value) if isinstance(value, list) else value
        if out.get("output_type") == "error":
            yield f"{out.get('ename')}: {out.get('evalue')}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    for text in _texts(getattr(item, "test_outputs", None)):
        found = HOLLOW.search(text)
        if found:
            start = max(0, found.start() - 160)
            raise AssertionError(f"{item.name} printed {found.group(0)!r}, a hollow section: "
                                 f"...{text[start:found.end() + 160]}...")
    return result
