"""``--format html``: the page's contract without a browser, then in a real one (tests/browser.py).

The browser tests load real reports of real scans: the bundled examples, a merge and a diff, and
a hostile fixture whose file names, object names, messages and evidence carry ``<script>`` and
``onerror=``: nothing of it may run, with or without the Content Security Policy.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import Page, chromium, playwright, require_browser
from hullcheck.cli import main
from hullcheck.reporters.html import csp_hash, script_json

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# The hostile fixture: every kind of string a scan reports, each trying to run code.
XSS_DIR = "<img src=x onerror=window.__pwned=1>"
XSS_DOCKERFILE = (
    "FROM node:latest\n"
    'RUN curl http://example.invalid/"<script>window.__pwned=2</script>" | sh\n'
    "ENV GREETING=\"</script><script>window.__pwned=3</script>\"\n"
)
XSS_K8S = """\
apiVersion: v1
kind: Namespace
metadata: {name: "<script>window.__pwned=4</script>"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: "x-onerror=alert(5)", namespace: "<script>window.__pwned=4</script>"}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec:
      containers:
        - name: "<svg onload=window.__pwned=6>"
          image: "nginx:<b onmouseover=alert(7)>"
          securityContext: {privileged: true}
---
apiVersion: v1
kind: Service
metadata: {name: "<iframe src=javascript:alert(8)>", namespace: "<script>window.__pwned=4</script>"}
spec:
  type: NodePort
  selector: {app: x}
  ports: [{port: 80}]
"""


def write(tmp_path: Path, rel: str, text: str) -> Path:
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def html_of(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    main([*args, "--format", "html", "--fail-on", "never"])
    return capsys.readouterr().out


def xss_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    root = tmp_path / "hostile"
    write(root, f"{XSS_DIR}/Dockerfile", XSS_DOCKERFILE)
    write(root, "k8s/<script>alert(9)</script>.yaml", XSS_K8S)
    page = html_of(capsys, "scan", str(root), "--show-suppressed")
    out = tmp_path / "xss.html"
    out.write_text(page)
    return out, page


# ------------------------------------------------------------------------ without a browser

def test_csp_allows_exactly_the_inline_script_and_style(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    page = html_of(capsys, "scan", str(EXAMPLES))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp is not None
    policy = csp.group(1).replace("&#x27;", "'")
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(scripts) == 1 and len(styles) == 1
    assert policy == (f"default-src 'none'; script-src {csp_hash(scripts[0])}; "
                      f"style-src {csp_hash(styles[0])}; base-uri 'none'; "
                      "form-action 'none'")
    # nothing else can run or load: no handler attributes, no inline style attributes, no URL
    assert not re.search(r"\son\w+=", page.split('<script type="application/json"')[0])
    assert " style=" not in page
    assert not re.search(r"(src|href)=\"(?!#)", page)


def test_script_json_cannot_end_its_element() -> None:
    text = script_json({"s": "</script><!-- & \u2028\u2029 >"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"s": "</script><!-- & \u2028\u2029 >"}


def test_hostile_strings_are_text_in_the_page_source(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    _, page = xss_report(tmp_path, capsys)
    # exactly our two script elements and the data element; no tag from the scanned strings
    assert page.count("<script") == 2
    for tag in ("<img", "<svg onload", "<iframe", "<b "):
        assert tag not in page
    # the server-written parts escape them
    assert "&lt;script&gt;window.__pwned=4&lt;/script&gt;" in page
    data = re.search(r'<script type="application/json" id="hullcheck-data">(.*?)</script>',
                     page, re.S)
    assert data is not None
    findings = json.loads(data.group(1))["findings"]
    assert any(XSS_DIR in f["where"] for f in findings)
    assert any("<script>window.__pwned=2</script>" in f["message"] + f["evidence"]
               for f in findings)


def test_html_lists_input_errors_escaped(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path, "<b>x</b>/Dockerfile", "FROM node:latest\n")
    broken = write(tmp_path, "k8s/<i>y</i>.yaml", "kind: Deployment\nmetadata: [unclosed\n")
    main(["scan", str(bad), str(broken), "--format", "html", "--fail-on", "never"])
    page = capsys.readouterr().out
    assert '<h2 id="h-errors">Input errors</h2>' in page
    assert f"<li><code>{str(broken).replace('<', '&lt;').replace('>', '&gt;')}</code>: " in page
    assert "<i>" not in page and "<b>x" not in page


def test_html_carries_kubernetes_and_benchmark_sections(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    page = html_of(capsys, "scan", str(EXAMPLES / "k8s"))
    assert "Pod Security level each namespace reaches" in page
    assert '<td>shop</td><td><span class="lvl-privileged">privileged</span></td>' in page
    assert "<td>Service/shop/web</td><td>NodePort</td><td>80</td><td>-</td>" \
           "<td>Deployment/shop/web</td>" in page
    result = tmp_path / "node.json"
    checks = [{"id": f"cis-docker-1.6:{s}.{i}", "title": "t", "result": r, "reason": "",
               "evidence": ""} for s, r in (("1", "pass"), ("2", "fail"), ("5", "manual"),
                                            ("7", "not-applicable")) for i in range(1, 3)]
    result.write_text(json.dumps({"tool": "hullcheck", "findings": [], "checks": checks,
                                  "summary": {"score": 3}}))
    page = html_of(capsys, "merge", str(result))
    assert "<td>CIS Docker 1.6 section 2: Docker daemon configuration</td><td class=num>" \
           '<span class="res-fail">2</span></td><td class=num>0</td>' in page
    assert "Checks by section: pass, fail, not applicable, manual. Score:" not in page  # merged


# --------------------------------------------------------------------------- in a browser

@pytest.fixture(scope="module")
def pw() -> Iterator[Any]:
    require_browser()
    with playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(pw: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(pw, tmp_path_factory.mktemp("chromium-profile")) as ctx:
        yield ctx


@pytest.fixture(scope="module")
def examples_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "examples.html"
    cwd = os.getcwd()
    os.chdir(EXAMPLES)
    try:
        main(["scan", ".", "--format", "html", "-o", str(out), "--show-suppressed"])
    finally:
        os.chdir(cwd)
    return out


def assert_clean(p: Page) -> None:
    assert p.errors == []
    assert [m for m in p.console if m[0] in ("error", "warning")] == []
    assert p.csp_violations() == []
    assert p.dialogs == []
    assert all(u.startswith(("file:", "data:")) for u in p.requests), p.requests


def test_browser_examples_page_loads_clean_and_filters(browser: Any, examples_page: Path) -> None:
    p = Page(browser, examples_page)
    assert_clean(p)
    total = p.shown()
    assert total > 50
    assert p.page.text_content("#shown-count") == f"Showing {total} of {total} findings"
    # severity: untick everything but critical
    for sev in ("high", "medium", "low", "info"):
        p.page.uncheck(f"input[name=sev][value={sev}]")
    p.settle()
    critical = p.shown()
    assert 0 < critical < total
    assert p.page.evaluate("location.hash") == "#sev=critical"
    assert set(p.page.eval_on_selector_all(
        "#findings > article:not([hidden]) .badge.sev-critical", "els => els.length") for _ in
        [0]) == {critical}
    p.page.click("#f-reset")
    p.settle()
    assert p.shown() == total
    # family, then rule, then file or object, then free text: each narrows what is shown
    p.page.select_option("#f-family", "DF")
    p.settle()
    df = p.shown()
    assert 0 < df < total
    rules = p.page.eval_on_selector_all(
        "#findings > article:not([hidden]) .rule", "els => els.map(e => e.textContent)")
    assert rules and all(r.startswith("DF") for r in rules)
    p.page.select_option("#f-rule", "DF001")
    p.settle()
    assert p.shown() == rules.count("DF001") > 0
    p.page.click("#f-reset")
    p.page.fill("#f-where", "k8s/")
    p.settle()
    wheres = p.page.eval_on_selector_all(
        "#findings > article:not([hidden]) dd:first-of-type", "els => els.map(e => e.textContent)")
    assert wheres and all("k8s/" in w for w in wheres) and len(wheres) < total
    p.page.fill("#f-where", "")
    p.page.fill("#f-text", "hostPath")
    p.settle()
    assert 0 < p.shown() < total
    assert "q=hostPath" in p.page.evaluate("location.hash")
    assert_clean(p)


def test_browser_fragment_restores_the_filter(browser: Any, examples_page: Path) -> None:
    p = Page(browser, examples_page, "#sev=critical,high&family=CT&sup=hide")
    assert p.page.is_checked("input[name=sev][value=high]")
    assert not p.page.is_checked("input[name=sev][value=medium]")
    assert p.page.input_value("#f-family") == "CT"
    assert p.page.is_checked("#f-suppressed")
    sevs = p.page.eval_on_selector_all("#findings > article:not([hidden]) .badge:first-child",
                                       "els => els.map(e => e.textContent)")
    rules = p.page.eval_on_selector_all("#findings > article:not([hidden]) .rule",
                                        "els => els.map(e => e.textContent)")
    assert sevs and set(sevs) <= {"critical", "high"} and all(r.startswith("CT") for r in rules)
    # a new fragment (back, a pasted link) applies at once
    p.page.evaluate("location.hash = '#rule=DF003'")
    p.settle()
    rules = p.page.eval_on_selector_all("#findings > article:not([hidden]) .rule",
                                        "els => els.map(e => e.textContent)")
    assert rules and set(rules) == {"DF003"}
    assert_clean(p)


@pytest.mark.parametrize("bypass_csp", [False, True])
def test_browser_hostile_strings_run_nothing(pw: Any, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str],
                                             bypass_csp: bool) -> None:
    """Escaping alone must hold: the same page with the CSP switched off runs nothing either."""
    page_path, _ = xss_report(tmp_path, capsys)
    with chromium(pw, tmp_path / "profile", bypass_csp=bypass_csp) as ctx:
        p = Page(ctx, page_path)
        p.page.wait_for_timeout(500)
        assert p.page.evaluate("typeof window.__pwned") == "undefined"
        assert_clean(p)
        text = p.page.text_content("body") or ""
        assert XSS_DIR in text  # shown as text
        assert "<script>window.__pwned=2</script>" in text
        assert "<script>window.__pwned=4</script>" in text
        # hover and focus everything: no handler hides in an attribute either
        p.page.evaluate("document.querySelectorAll('*').forEach(e => {"
                        " e.dispatchEvent(new MouseEvent('mouseover')); })")
        assert p.page.evaluate("typeof window.__pwned") == "undefined"
        assert p.page.evaluate("document.querySelectorAll('img, svg:not(.bars), iframe, b')"
                               ".length") == 0


def test_browser_merge_and_diff_pages(browser: Any, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path, "a/Dockerfile", "FROM node:latest\nUSER root\n")
    write(tmp_path, "b/Dockerfile", "FROM node:latest\nRUN curl http://x | sh\n")
    results = []
    for name in ("a", "b"):
        out = tmp_path / f"{name}.json"
        cwd = os.getcwd()
        os.chdir(tmp_path / name)
        try:
            main(["scan", ".", "-f", "json", "-o", str(out), "--fail-on", "never"])
        finally:
            os.chdir(cwd)
        results.append(str(out))
    capsys.readouterr()
    assert a.exists()
    merged = tmp_path / "merged.html"
    main(["merge", *results, "-f", "html", "-o", str(merged)])
    p = Page(browser, merged)
    assert_clean(p)
    assert "Sources merged" in (p.page.text_content("body") or "")
    diffed = tmp_path / "diff.html"
    main(["diff", *results, "-f", "html", "-o", str(diffed)])
    p = Page(browser, diffed, "#change=appeared")
    assert_clean(p)
    changes = p.page.eval_on_selector_all(
        "#findings > article:not([hidden]) .badge.change-appeared, #findings > "
        "article:not([hidden]) .badge.change-fixed", "els => els.map(e => e.textContent)")
    assert changes and set(changes) == {"appeared"}


def test_browser_print_and_keyboard(browser: Any, examples_page: Path) -> None:
    p = Page(browser, examples_page)
    # keyboard: the first Tab reaches the skip link, which moves focus to the findings
    p.page.keyboard.press("Tab")
    assert p.page.evaluate("document.activeElement.className") == "skip"
    p.page.uncheck("input[name=sev][value=info]")  # a filter the skip link must keep
    p.page.keyboard.press("Shift+Tab")
    while p.page.evaluate("document.activeElement.className") != "skip":
        p.page.keyboard.press("Shift+Tab")
    p.page.keyboard.press("Enter")
    assert p.page.evaluate("document.activeElement.id") == "findings-h"
    p.settle()
    assert not p.page.is_checked("input[name=sev][value=info]")
    p.page.check("input[name=sev][value=info]")
    # every filter control has a label a screen reader announces
    unlabelled = p.page.evaluate(
        "Array.from(document.querySelectorAll('form.filters input, form.filters select'))"
        ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))"
        ".map(e => e.id || e.name)")
    assert unlabelled == []
    # print: no filter form, every finding kept on its page
    p.page.emulate_media(media="print")
    assert p.page.evaluate("getComputedStyle(document.querySelector('form.filters')).display") \
        == "none"
    assert p.page.evaluate("getComputedStyle(document.querySelector('.finding')).breakInside") \
        == "avoid"
    p.page.emulate_media(media="screen")
    assert_clean(p)


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_colours_meet_wcag_aa_contrast() -> None:
    """Every colour the stylesheet uses for text or behind white text is at least 4.5:1."""
    css = (ROOT / "src/hullcheck/data/report.css").read_text()
    colours = dict(re.findall(r"--([a-z]+): (#[0-9a-f]{6})", css))
    for name in ("critical", "high", "medium", "low", "info", "pass", "fail", "na", "manual",
                 "error", "muted", "fg"):
        assert contrast(colours[name], "#ffffff") >= 4.5, name
        assert contrast(colours[name], colours["panel"]) >= 4.5, name  # text in the cards


def test_ci_without_a_browser_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    import browser as browser_mod

    monkeypatch.setattr(browser_mod, "unavailable", lambda: "no Chromium at /nowhere")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="browser tests cannot run under CI: no"):
        browser_mod.require_browser()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="no Chromium at /nowhere"):
        browser_mod.require_browser()


def synthetic_result(n: int, host: str = "node-1") -> dict[str, Any]:
    sevs = ["critical", "high", "medium", "low", "info"]
    return {"tool": "hullcheck", "fingerprint_version": 1,
            "source": {"kind": "host", "name": None, "host": host},
            "findings": [{"rule": f"HOST{i % 7:03d}", "title": f"title {i}",
                          "severity": sevs[i % 5], "message": f"message number {i}",
                          "references": [], "location": {"setting": f"s{i}"},
                          "remediation": "", "fingerprint": f"fp{i}"} for i in range(n)]}


def test_browser_lists_500_at_a_time(browser: Any, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    result = write(tmp_path, "big.json", json.dumps(synthetic_result(1_200)))
    page = write(tmp_path, "big.html", html_of(capsys, "merge", str(result)))
    p = Page(browser, page)
    assert p.shown() == 500
    assert p.page.text_content("#shown-count") == "Showing 1200 of 1200 findings (500 listed)"
    assert p.page.text_content("#show-more") == "Show 500 more"
    p.page.click("#show-more")
    assert p.shown() == 1_000
    p.page.click("#show-all")
    assert p.shown() == 1_200 and p.page.is_hidden("#show-more")
    # a filter lists its first 500 matches; printing lists them all
    p.page.uncheck("input[name=sev][value=info]")
    p.settle()
    assert p.shown() == 500
    p.page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert p.shown() == 960
    p.page.fill("#f-text", "message number 11")  # 11, 110-119, 1100-1199 but not info ones
    p.settle()
    texts = p.page.eval_on_selector_all("#findings .message", "els => els.map(e => e.textContent)")
    assert texts and all(t.startswith("message number 11") for t in texts)
    assert p.page.is_hidden("#show-more") and p.page.is_hidden("#show-all")
    assert_clean(p)


def test_browser_hostile_merge_sources_run_nothing(browser: Any, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    doc = synthetic_result(3, host="<img src=x onerror=window.__pwned=10>")
    doc["findings"][0]["message"] = "<script>window.__pwned=11</script>"
    doc["findings"][0]["evidence"] = "\"><svg onload=window.__pwned=12>"
    doc["checks"] = [{"id": "cis-docker-1.6:<b onmouseover=alert(13)>", "title": "<i>t</i>",
                      "result": "fail", "reason": "", "evidence": ""}]
    result = write(tmp_path, "<img src=x onerror=alert(14)>.json", json.dumps(doc))
    page = write(tmp_path, "merged.html", html_of(capsys, "merge", str(result)))
    p = Page(browser, page)
    p.page.wait_for_timeout(300)
    assert p.page.evaluate("typeof window.__pwned") == "undefined"
    assert_clean(p)
    text = p.page.text_content("body") or ""
    for shown in ("<img src=x onerror=window.__pwned=10>", "<script>window.__pwned=11</script>",
                  "\"><svg onload=window.__pwned=12>", "<img src=x onerror=alert(14)>.json"):
        assert shown in text
    assert p.page.evaluate("document.querySelectorAll('img, iframe, b, i').length") == 0
