"""Write docs/report-screenshot.png: the HTML report of the bundled examples, in Chromium.

    .venv/bin/python scripts/report_screenshot.py

Scans ``examples/`` (as the Quick start does, from inside it), writes ``--format html`` and
takes a screenshot of the page's first 1,400 pixels at 1,280 wide in headless Chromium (the
browser the tests use: tests/browser.py).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import Page, chromium, playwright, unavailable  # noqa: E402


def main() -> int:
    reason = unavailable()
    if reason:
        sys.stderr.write(f"report_screenshot: {reason}\n")
        return 1
    out = ROOT / "docs" / "report-screenshot.png"
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "examples.html"
        subprocess.run([sys.executable, "-m", "hullcheck", "scan", ".", "--format", "html",
                        "--output", str(page), "--fail-on", "never"], cwd=ROOT / "examples",
                       check=True)
        with playwright() as pw, chromium(pw, Path(tmp) / "profile") as ctx:
            p = Page(ctx, page)
            p.page.set_viewport_size({"width": 1280, "height": 1400})
            p.page.screenshot(path=str(out), full_page=False)
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
