"""Issue 14: a typo in --select is a usage error, not a passing gate; --severity shows only what
matters; `hullcheck rules` filters and `explain` finds rules by a peer's code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli, run_json
from hullcheck.cli import catalogue, selector_names
from hullcheck.suppress import selector_matches

# DF003 medium (line 1), DF018 low (line 1), DF004 medium (line 3), DF001 high (line 4).
DOCKERFILE = "FROM nginx:latest\nADD app.tar.gz /app\nRUN sudo ls\nUSER root\n"
POD = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n"
       "    image: nginx:1.25\n    securityContext: {privileged: true}\n")


@pytest.fixture
def dockerfile(tmp_path: Path) -> Path:
    p = tmp_path / "Dockerfile"
    p.write_text(DOCKERFILE)
    return p


def rules_of(doc: dict[str, object]) -> list[str]:
    return [f["rule"] for f in doc["findings"]]  # type: ignore[attr-defined, index]


# --- strict --select -----------------------------------------------------------------------

def test_unknown_select_is_a_usage_error(dockerfile: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "scan", str(dockerfile), "--select", "XX999")
    assert code == 2 and out == ""
    assert err == ("hullcheck: error: --select: unknown rule, family or tag 'XX999' "
                   "(see 'hullcheck rules')\n")


@pytest.mark.parametrize(("typo", "suggested"), [
    ("df003", "DF003"),  # case aside
    ("CT0001", "CT001"),
    ("cis-docker-1.6:5.55", "cis-docker-1.6:5.5"),
    ("pss:baseline:privilegd", "pss:baseline:privileged"),
    ("hadolint:DL3O07", "hadolint:DL3007"),
])
def test_unknown_select_suggests_the_closest_names(dockerfile: Path, typo: str, suggested: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "scan", str(dockerfile), "--select", f"DF001,{typo}")
    assert code == 2
    [line] = err.splitlines()
    assert line.startswith(f"hullcheck: error: --select: unknown rule, family or tag {typo!r} "
                           f"(did you mean {suggested}")
    # At most three suggestions.
    assert line.split("did you mean ", 1)[1].split("?")[0].count(",") <= 2


def test_unknown_select_in_config_is_a_usage_error(dockerfile: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "hc.yaml"
    cfg.write_text("select: [DF, CT999]\n")
    code, out, err = run_cli(capsys, "scan", str(dockerfile), "--config", str(cfg))
    assert code == 2 and out == ""
    assert err.startswith(f"hullcheck: error: {cfg}: select: unknown rule, family or tag "
                          "'CT999' (did you mean ")


def test_unknown_ignore_is_a_warning(dockerfile: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "hc.yaml"
    cfg.write_text("ignore: [cis-docker-1.6:99]\n")
    code, doc, err = run_json(capsys, "scan", str(dockerfile), "--config", str(cfg),
                              "--ignore", "XX999")
    assert code == 1  # DF001 is high: the scan ran
    assert rules_of(doc) == ["DF003", "DF018", "DF004", "DF001"]
    assert "hullcheck: warning: --ignore: unknown rule, family or tag 'XX999'" in err
    assert f"hullcheck: warning: {cfg}: ignore: unknown rule, family or tag 'cis-docker-1.6:99'" \
        in err


def test_unknown_tag_in_an_inline_ignore_warns(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "Dockerfile"
    p.write_text("# hullcheck: ignore=hadolint:DL3O07\nFROM node:latest\n")
    _, _, err = run_json(capsys, "scan", str(p))
    assert (f"{p}:1: suppression: unknown rule, family or tag 'hadolint:DL3O07' "
            "(did you mean hadolint:DL3007") in err


@pytest.mark.parametrize("selector", ["HOST005", "DF", "cis-docker-1.6:5", "pss:baseline",
                                      "cis-docker-1.6:6.1", "hadolint:DL3002"])
def test_known_names_are_accepted(dockerfile: Path, selector: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    # A retired id, a family, tag prefixes, a CIS check only the host audit reports, a tag only
    # some findings carry.
    code, _, err = run_json(capsys, "scan", str(dockerfile), "--select", selector,
                            "--fail-on", "never")
    assert code == 0 and "error" not in err


def test_tag_selectors_match_equal_or_extending_at_a_boundary() -> None:
    assert selector_matches("cis-docker-1.6:5", "CT001", ["cis-docker-1.6:5.5"])
    assert selector_matches("pss:baseline", "K8S003", ["pss:baseline:privileged"])
    assert selector_matches("cis-docker-1.6:4.1", "DF001", ["cis-docker-1.6:4.1"])
    assert not selector_matches("cis-docker-1.6:4.1", "X", ["cis-docker-1.6:4.10"])
    assert not selector_matches("pss:base", "K8S003", ["pss:baseline:privileged"])
    names = selector_names(catalogue())
    assert names.knows("cis-docker-1.6:5") and names.knows("pss:baseline")
    assert names.knows("pss:restricted:runAsNonRoot") and names.knows("HOST005")
    assert not names.knows("pss:base") and not names.knows("cis-docker-1.6:4.") \
        and not names.knows("cis-docker-1")
    # the whole standard is a selector too (ARCHITECTURE.md: equal, or extending with ':' / '.')
    assert names.knows("cis-k8s-1.10") and names.knows("pss") and names.knows("hadolint")
    assert selector_matches("cis-k8s-1.10", "K8S003", ["cis-k8s-1.10:5.2.2"])
    assert selector_matches("pss", "K8S003", ["pss:baseline:privileged"])
    assert not selector_matches("pss", "K8S003", ["pssx:baseline"])


def test_tag_selector_on_kubernetes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    _, doc, _ = run_json(capsys, "scan", str(tmp_path), "--select", "pss:baseline")
    assert rules_of(doc) == ["K8S003"]


@pytest.mark.parametrize(("args", "expected"), [
    (["--select", "DF003", "--ignore", "DF"], ["DF003"]),  # the id beats the family
    (["--select", "DF003,DF001", "--ignore", "hadolint:DL3007"], ["DF003", "DF001"]),  # and tags
    (["--select", "DF003,DF001", "--ignore", "DF003"], ["DF001"]),  # the same id: ignored
    (["--select", "DF", "--ignore", "hadolint:DL3007"], ["DF018", "DF004", "DF001"]),
])
def test_an_explicitly_selected_rule_reports(dockerfile: Path, args: list[str],
                                             expected: list[str],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _, doc, _ = run_json(capsys, "scan", str(dockerfile), *args, "--fail-on", "never")
    assert rules_of(doc) == expected


def test_command_line_select_beats_an_ignore_in_config(dockerfile: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "hc.yaml"
    cfg.write_text("ignore: [DF]\n")
    _, doc, _ = run_json(capsys, "scan", str(dockerfile), "--config", str(cfg),
                         "--select", "DF001", "--fail-on", "never")
    assert rules_of(doc) == ["DF001"]


# --- --severity --------------------------------------------------------------------------

def test_severity_filters_json_but_counts_all(dockerfile: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = run_json(capsys, "scan", str(dockerfile), "--severity", "High,CRITICAL",
                            "--fail-on", "never")
    assert code == 0
    assert rules_of(doc) == ["DF001"]
    assert doc["summary"] == {
        "findings": 4, "score": None, "hidden": 3,
        "by_severity": {"critical": 0, "high": 1, "medium": 2, "low": 1, "info": 0},
    }
    # Without --severity the additive field is absent.
    _, doc, _ = run_json(capsys, "scan", str(dockerfile), "--fail-on", "never")
    assert "hidden" not in doc["summary"]


def test_severity_levels_are_exact_and_repeatable(dockerfile: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _, doc, _ = run_json(capsys, "scan", str(dockerfile), "--severity", "low",
                         "--severity", "HIGH", "--fail-on", "never")
    assert rules_of(doc) == ["DF018", "DF001"]  # not medium: a level is not a threshold
    assert doc["summary"]["hidden"] == 2


def test_exit_code_follows_fail_on_alone(dockerfile: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    # Nothing shown, yet the high DF001 fails the default gate.
    code, doc, _ = run_json(capsys, "scan", str(dockerfile), "--severity", "critical")
    assert code == 1 and doc["findings"] == [] and doc["summary"]["hidden"] == 4
    code, _, _ = run_json(capsys, "scan", str(dockerfile), "--severity", "low",
                          "--fail-on", "critical")
    assert code == 0


def test_text_summary_says_how_many_are_hidden(dockerfile: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(capsys, "scan", str(dockerfile), "--severity", "high",
                        "--fail-on", "never")
    assert "DF001" in out and "DF003" not in out and "DF018" not in out
    assert out.splitlines()[-1] == ("4 findings (1 high, 2 medium, 1 low), "
                                    "3 lower-severity hidden by --severity;"
                                    " passed (--fail-on never)")
    # Hiding a higher one too: not "lower".
    _, out, _ = run_cli(capsys, "scan", str(dockerfile), "--severity", "medium",
                        "--fail-on", "never")
    assert out.splitlines()[-1] == ("4 findings (1 high, 2 medium, 1 low), "
                                    "2 hidden by --severity; passed (--fail-on never)")


@pytest.mark.parametrize("fmt", ["sarif", "junit"])
def test_severity_filters_every_format(dockerfile: Path, fmt: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(capsys, "scan", str(dockerfile), "--severity", "high",
                        "--fail-on", "never", "--format", fmt)
    if fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        assert [r["ruleId"] for r in results] == ["DF001"]
    else:
        assert "DF001" in out and "DF003" not in out and "DF018" not in out


@pytest.mark.parametrize("value", ["bogus", "UNKNOWN", "high,", ",", "high;critical"])
def test_bad_severity_is_a_usage_error(dockerfile: Path, value: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    if value == "high,":  # a trailing comma is only an empty item
        code, _, _ = run_json(capsys, "scan", str(dockerfile), "--severity", value,
                              "--fail-on", "never")
        assert code == 0
        return
    with pytest.raises(SystemExit) as exc:
        run_cli(capsys, "scan", str(dockerfile), "--severity", value)
    assert exc.value.code == 2
    assert "argument --severity:" in capsys.readouterr().err


# --- rules and explain -------------------------------------------------------------------

def test_rules_filters_by_family_and_tag(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "rules", "DF")
    ids = [line.split()[0] for line in out.splitlines()]
    assert code == 0 and ids and all(i.startswith("DF") and i[2:].isdigit() for i in ids)
    code, out, _ = run_cli(capsys, "rules", "--tag", "cis-docker-1.6:5", "--format", "json")
    listed = json.loads(out)
    assert code == 0 and {r["id"] for r in listed} >= {"CT001", "CT005"}
    section5 = ("cis-docker-1.6:5.", "cis-docker-1.6:5:")
    assert all(any(t.startswith(section5) for t in r["references"]) for r in listed)
    assert not any(r["id"].startswith("DF") for r in listed)
    _, out, _ = run_cli(capsys, "rules", "HOST")
    assert "HOST005  retired" in out
    _, out, _ = run_cli(capsys, "rules", "--tag", "hadolint:DL3002")
    assert [line.split()[0] for line in out.splitlines()] == ["DF001"]
    # --tag is always a tag: a bare peer name is every tag of that peer.
    _, out, _ = run_cli(capsys, "rules", "--tag", "hadolint")
    # DF014 carries DL4006 where it stands for DF019 (curl | sh, hullcheck.overlaps).
    assert [line.split()[0] for line in out.splitlines()] == [
        "DF001", "DF002", "DF003", "DF004", "DF006", "DF007", "DF014", "DF019"]


@pytest.mark.parametrize(("args", "message"), [
    (["XX"], "rules: unknown rule, family or tag 'XX'"),
    (["--tag", "DF"], "--tag: no rule carries 'DF' or a tag extending it (e.g."),
    (["--tag", "cis-docker-1.6:55"], "--tag: no rule carries 'cis-docker-1.6:55' or a tag "
                                     "extending it (did you mean cis-docker-1.6:5.5"),
])
def test_rules_filter_typo_is_a_usage_error(args: list[str], message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "rules", *args)
    assert code == 2 and out == "" and err.startswith(f"hullcheck: error: {message}")


@pytest.mark.parametrize("code_", ["DL3007", "dl3007", "hadolint:DL3007"])
def test_explain_a_hadolint_code(code_: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "explain", code_)
    assert code == 0
    assert out.startswith("hadolint:DL3007 is judged by DF003:\n\nDF003 base-image-latest:")


def test_explain_a_tag_some_findings_carry(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "explain", "DL3002")
    assert code == 0
    assert out.startswith("hadolint:DL3002 is judged by DF001 (on some of its findings):")


def test_explain_an_unknown_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "explain", "DL3008")
    assert code == 2 and out == ""
    assert err.startswith("hullcheck: error: explain: unknown rule or tag 'DL3008': no rule has "
                          "that id or carries it as a tag (did you mean ")


def test_every_emitted_tag_is_known_to_its_rule() -> None:
    """Selectors, `rules --tag` and `explain` know a rule by its tags: every tag a finding of the
    golden results carries is among its rule's ``all_references``, or those of a rule it stands
    for (``hullcheck.overlaps``: DF018 reporting for CT029 carries CT029's tags; selecting by
    such a tag selects the rule that owns it, which then reports itself)."""
    from hullcheck.overlaps import OVERLAPS

    rules = {r.id: r for r in catalogue()}
    known = {rule_id: set(r.all_references()) for rule_id, r in rules.items()}
    for o in OVERLAPS:
        known[o.reporter] |= set(rules[o.duplicate].all_references())
    golden = Path(__file__).resolve().parent / "golden"
    seen = 0
    for path in sorted(golden.glob("*.json")):
        stack: list[object] = [json.loads(path.read_text())]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if "rule" in item and "references" in item and item["rule"] in rules:
                    seen += 1
                    assert set(item["references"]) <= known[item["rule"]], \
                        (path.name, item["rule"], item["references"])
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    assert seen > 1000


def test_suggestions_are_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A scanned file full of unknown names costs at most MAX_SUGGESTION_LOOKUPS suggestion
    lookups; a name over MAX_SUGGESTED_LENGTH characters gets none."""
    import time

    from hullcheck.suppress import MAX_SUGGESTED_LENGTH, MAX_SUGGESTION_LOOKUPS

    assert (MAX_SUGGESTED_LENGTH, MAX_SUGGESTION_LOOKUPS) == (64, 100)
    names = ",".join(f"CT{i:05d}" for i in range(3000))
    long = "DF00" + "1" * 100
    p = tmp_path / "Dockerfile"
    p.write_text(f"# hullcheck: ignore-file={long}\n# hullcheck: ignore-file={names}\n"
                 "FROM nginx:1.25\n")
    start = time.monotonic()
    _, _, err = run_json(capsys, "scan", str(p))
    assert time.monotonic() - start < 5  # 3,000 lookups would take about 5 s
    lines = [x for x in err.splitlines() if "unknown rule, family or tag" in x]
    assert len(lines) == 3001
    assert sum("did you mean" in x for x in lines) == MAX_SUGGESTION_LOOKUPS
    assert f"{long!r} (see 'hullcheck rules')" in lines[0]
