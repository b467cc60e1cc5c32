"""README.md is a front page: short, the two-command quick start, the sections other pages and
helpers point at, a support matrix that says what the code says, and links that lead somewhere.

Every relative link in README.md, docs/*.md, CHANGELOG.md and SECURITY.md must name a file that
exists, and a ``#anchor`` a heading of that file (GitHub's heading ids), so moving reference text
between pages cannot leave a dead link behind.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT

README = ROOT / "README.md"
PAGES = [README, ROOT / "CHANGELOG.md", ROOT / "SECURITY.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _section(title: str) -> str:
    text = _text(README)
    level = title.split(" ", 1)[0]
    body = text.split(f"\n{title}\n", 1)[1]
    return re.split(rf"\n#{{1,{len(level)}}} ", body, maxsplit=1)[0]


def _prose(text: str) -> str:
    """``text`` without fenced code blocks (a link or heading there is not one)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def _slug(heading: str) -> str:
    """GitHub's id for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for line in _prose(_text(path)).splitlines():
        m = re.match(r"#{1,6} (.+)", line)
        if m:
            slug = _slug(m.group(1))
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def test_readme_is_a_front_page() -> None:
    size = len(README.read_bytes())
    assert size <= 15 * 1024, f"README.md is {size} bytes; reference text belongs in docs/"
    for title in ("## What it is, and what it is not", "## Install", "## Quick start",
                  "## Commands", "### Kubernetes", "## Outputs", "## CI recipes", "## Rules",
                  "## Support matrix", "## Security", "## Development"):
        assert f"\n{title}\n" in _text(README), title


def test_quick_start_is_the_two_commands() -> None:
    blocks = re.findall(r"^```sh\n(.*?)^```", _section("## Quick start"), flags=re.S | re.M)
    assert len(blocks) == 1
    commands = [line.split("#", 1)[0].strip() for line in blocks[0].splitlines()]
    assert commands == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    assert "exec bash scripts/test.sh" in _text(ROOT / ".ci" / "run")
    assert (ROOT / "scripts" / "demo.sh").exists()


def test_no_cve_scanning_and_who_does_it() -> None:
    section = _section("## What it is, and what it is not")
    assert "not a vulnerability scanner" in section
    for tool in ("Trivy", "Grype", "SARIF", "trivy fs", "grype dir:."):
        assert tool in section


def test_outputs_name_every_format() -> None:
    from hullcheck.reporters_table import REPORTERS

    section = _section("## Outputs")
    for fmt in REPORTERS:
        assert f"`{fmt}`" in section, fmt


def test_commands_name_every_command() -> None:
    from hullcheck import cli

    parser = cli.build_parser("scan")
    sub = next(a for a in parser._actions if a.dest == "command")
    section = _section("## Commands")
    for command in sub.choices:  # type: ignore[union-attr]
        assert f"hullcheck {command}" in section, command


def test_support_matrix_says_what_the_code_says() -> None:
    from hullcheck.models.pod import LATEST_VERSION

    section = _section("## Support matrix")
    rows = {line.split("|")[1].strip(): line for line in section.splitlines()
            if line.startswith("| ") and not line.startswith("| what")}
    assert f"up to 1.{LATEST_VERSION[1]} (`latest`)" in rows["Kubernetes, Pod Security"]
    project = tomllib.loads(_text(ROOT / "pyproject.toml"))["project"]
    assert project["requires-python"] == ">=3.11"
    pythons = [c.rsplit(" ", 1)[1] for c in project["classifiers"]
               if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    assert rows["Python"].split("|")[2].strip() == ", ".join(pythons)
    docker = re.search(r'"docker>=([\d.]+)"', _text(ROOT / "pyproject.toml"))
    assert docker is not None and f"docker SDK (>= {docker.group(1)})" in rows["Docker Engine API"]
    import docker.constants

    assert f"{docker.constants.MINIMUM_DOCKER_API_VERSION} and newer" in rows["Docker Engine API"]
    tsv = _text(ROOT / "src" / "hullcheck" / "data" / "cis-docker-1.6.tsv")
    assert "(117 checks)" in rows["CIS Docker Benchmark"] and tsv


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_lead_somewhere(page: Path) -> None:
    dead = []
    for target in LINK.findall(_prose(_text(page))):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists() or (anchor and dest.suffix == ".md"
                                 and anchor not in _anchors(dest)):
            dead.append(target)
    assert dead == []
