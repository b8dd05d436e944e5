"""What a lesson run must not print: a section gone hollow because a file was missing.

A lesson must never print "not found" in place of a section: every file a lesson reads ships with
naskit. Lessons used to catch a missing table and print the error, which passed CI while a student
saw a hollow section. The nbval run (conftest.py) and the browser tests (test_browser.py) both fail
a lesson whose outputs say so.
"""
import re

HOLLOW = re.compile(r"not found|download=True|FileNotFoundError|No such file|are skipped|"
                    r"not installed", re.IGNORECASE)


def output_texts(outputs):
    """The text of each output of a notebook cell: streams, plain/HTML/markdown data, errors."""
    for out in outputs or ():
        if "text" in out:
            yield "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
        for key in ("text/plain", "text/html", "text/markdown"):
            value = out.get("data", {}).get(key)
            if value:
                yield "".join(value) if isinstance(value, list) else value
        if out.get("output_type") == "error":
            yield f"{out.get('ename')}: {out.get('evalue')}"


def hollow(outputs) -> str | None:
    """The first output text that says a file is missing, around the words that say it; or None."""
    for text in output_texts(outputs):
        found = HOLLOW.search(text)
        if found:
            start = max(0, found.start() - 160)
            return f"{found.group(0)!r}: ...{text[start:found.end() + 160]}..."
    return None
