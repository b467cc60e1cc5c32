"""A real browser for the HTML report's tests: Debian's Chromium, headless, driven by Playwright
(the PyPI package, pointed at the system browser: Playwright's own browser download is neither
needed nor possible here).

Locally a missing browser or Playwright skips with the reason; under ``CI=true`` it fails, so CI
can never pass without having run the browser tests (scripts/live-packages.sh installs
``chromium``, the [test] extra ``playwright``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
# As the issue asks: headless, no sandbox (CI runs as root), nothing reaching out.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
# Records every Content Security Policy violation the page raises (run before its scripts, by
# the DevTools protocol: not subject to the page's policy).
RECORD_CSP = ("window.__csp = []; document.addEventListener('securitypolicyviolation', e =>"
              " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample))")


def unavailable() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e .[test])"
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def require_browser() -> None:
    reason = unavailable()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


@contextmanager
def playwright() -> Iterator[Any]:
    """Playwright's driver (one per test module: its sync API cannot nest)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@contextmanager
def chromium(pw: Any, user_data_dir: Path, bypass_csp: bool = False) -> Iterator[Any]:
    """A fresh headless Chromium (its own profile directory): the Playwright context."""
    ctx = pw.chromium.launch_persistent_context(
        str(user_data_dir), executable_path=CHROMIUM, headless=True, args=ARGS,
        bypass_csp=bypass_csp)
    try:
        yield ctx
    finally:
        ctx.close()


class Page:
    """One loaded page and what it said: console messages, page errors, CSP violations,
    requests, dialogs."""

    def __init__(self, ctx: Any, path: Path, fragment: str = "") -> None:
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = ctx.new_page()
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.add_init_script(RECORD_CSP)
        self.page.goto(path.resolve().as_uri() + fragment)
        self.page.wait_for_selector("body[data-ready='1']", timeout=60_000)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def csp_violations(self) -> list[str]:
        result: list[str] = self.page.evaluate("window.__csp")
        return result

    def shown(self) -> int:
        return int(self.page.evaluate(
            "document.querySelectorAll('#findings > article:not([hidden])').length"))

    def settle(self) -> None:
        """Wait for the debounced filters (150 ms) to apply."""
        self.page.wait_for_timeout(300)
