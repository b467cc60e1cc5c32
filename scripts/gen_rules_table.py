"""Regenerate docs/rules.md (the index of every rule, each rule's documentation, the retired ids),
the table of rule families in README.md and the rule catalogue a scan reads instead of importing
every rule (src/hullcheck/rules/_catalog_data.py, ``hullcheck.rules.catalog``), from the rules and
the deprecation table (``hullcheck.deprecations``) themselves.

    python scripts/gen_rules_table.py          # rewrite all three
    python scripts/gen_rules_table.py --check  # exit 1 when one is stale (used by tests)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAMILIES_START, FAMILIES_END = "<!-- rule-families:start -->", "<!-- rule-families:end -->"
# What each family judges, for the README's table (a family not listed here shows its prefix).
FAMILY_TEXT = {
    "DF": "Dockerfiles (`scan`)",
    "CT": "containers on every platform: compose services, Kubernetes containers, live "
          "containers (`scan`, `host`)",
    "K8S": "Kubernetes pods and containers, Pod Security Standards (`scan`)",
    "KNS": "Kubernetes across objects: namespaces, NetworkPolicies, RBAC, exposure, kubelet "
           "(`scan`)",
    "HOST": "the Docker host: daemon, files, CIS Docker Benchmark (`host`)",
    "IMG": "images: config, history, layers, signatures (`image`, `host`)",
    "NODE": "a Kubernetes node's files and kubelet",
}


def table() -> str:
    sys.path.insert(0, str(ROOT / "src"))
    from hullcheck.rules import all_rules

    rows = ["| id | name | severity | inputs | references |", "| --- | --- | --- | --- | --- |"]
    for r in sorted(all_rules(), key=lambda r: r.id):
        refs = ", ".join(f"`{x}`" for x in r.references) or "-"
        rows.append(f"| {r.id} | {r.title} | {r.severity.label} | "
                    f"{', '.join(sorted(r.inputs))} | {refs} |")
    return "\n".join(rows)


def families_table() -> str:
    """One row per rule family: what it judges, how many rules, their default severities."""
    from hullcheck.findings import Severity
    from hullcheck.rules import all_rules

    families: dict[str, list[Severity]] = {}
    for r in sorted(all_rules(), key=lambda r: r.id):
        families.setdefault(r.id[:-3], []).append(r.severity)
    rows = ["| family | judges | rules | default severities |", "| --- | --- | --- | --- |"]
    for prefix, severities in families.items():
        counts = ", ".join(f"{severities.count(s)} {s.label}" for s in sorted(Severity,
                                                                              reverse=True)
                           if s in severities)
        rows.append(f"| [{prefix}](docs/rules.md#rule-index) | {FAMILY_TEXT.get(prefix, prefix)} "
                    f"| {len(severities)} | {counts} |")
    return "\n".join(rows)


def retired_table() -> str:
    """One row per successor of each retired id: what a configuration naming it now means."""
    from hullcheck.deprecations import RETIRED, successor_rows
    from hullcheck.rules import all_rules

    titles = {r.id: r.title for r in all_rules()}
    rows = ["| retired id | successor | reference | title |", "| --- | --- | --- | --- |"]
    for old in sorted(RETIRED.values(), key=lambda r: r.id):
        rows += [f"| {old.id} | {rid} | `{tag}` | {title} |"
                 for rid, tag, title in successor_rows(old, titles)]
    return "\n".join(rows)


def overlaps_section() -> list[str]:
    """The overlaps audited in ``hullcheck.overlaps``: which one reports, and the pairs kept
    apart on purpose."""
    from hullcheck.overlaps import KEPT_APART, OVERLAPS

    rows = ["| reports | stands for | decision | concern or reason |", "| --- | --- | --- | --- |"]
    rows += [f"| {o.reporter} | {o.duplicate} | dedup | {o.concern} |" for o in OVERLAPS]
    rows += [f"| {a} | {b} | kept apart | {why} |" for a, b, why in KEPT_APART]
    return ["## Overlapping rules", "",
            "Where two rules judge the same concern at the same place, one finding reports "
            "(`hullcheck.overlaps`): the rule in the first column, when it is selected. It "
            "carries the tags of the findings it stands for and the highest severity among them "
            "(so `--fail-on` gates as before); its fingerprint is its own, so a baseline written "
            "before keeps matching. When it is not selected (`--select`, `--ignore`), the "
            "other reports as before, and so does a rule named by its id in `--select`. An "
            "inline ignore of the reporting rule hides the problem. "
            "Pairs that meet at one place but judge different things were audited too and are "
            "kept apart:", "", *rows, ""]


# Every ``cis-k8s-1.10:`` tag a rule carries, judged against the item's title and what it asks
# a manifest or config audit to look at (CIS Kubernetes Benchmark 1.10): kept with the reason,
# or dropped with the reason. ``cis_k8s_section`` refuses a tag missing here, so a new tag
# cannot be added unjudged.
_RBAC = "the item names this permission; the rule reports who holds it"
_KUBELET = "the item names this KubeletConfiguration field; the rule judges it"
_NODE_FILE = ("the owner or mode of the very file the item names, stat-ed on the node; each "
              "finding carries only the item it fails")
_NODE_KUBELET = ("the running kubelet's effective setting (flags over its config file), the "
                 "item itself; each finding carries only the item it fails")
CIS_K8S_KEPT: dict[tuple[str, str], str] = {
    ("CT024", "5.4.1"): "a credential written in env is a secret as an environment variable, "
                        "the item's concern; the fix it asks for (a mounted Secret file) is ours",
    ("CT027", "5.5.1"): "where an image may come from is the image provenance policy the item "
                        "asks for",
    ("HOST012", "4.2.1"): "kubelet anonymous authentication, read from the host's kubelet",
    ("K8S001", "5.2.11"): "windowsOptions.hostProcess",
    ("K8S002", "5.2.3"): "spec.hostPID", ("K8S002", "5.2.4"): "spec.hostIPC",
    ("K8S002", "5.2.5"): "spec.hostNetwork",
    ("K8S003", "5.2.2"): "securityContext.privileged",
    ("K8S004", "5.2.9"): "capabilities.add",
    ("K8S005", "5.2.12"): "volumes[].hostPath",
    ("K8S006", "5.2.13"): "ports[].hostPort",
    ("K8S010", "5.7.2"): "seccompProfile set to Unconfined instead of RuntimeDefault",
    ("K8S013", "5.2.12"): "only on its hostPath findings (other volume types carry no CIS tag)",
    ("K8S014", "5.2.6"): "securityContext.allowPrivilegeEscalation",
    ("K8S015", "5.2.7"): "runAsNonRoot",
    ("K8S016", "5.2.7"): "runAsUser: 0",
    ("K8S017", "5.7.2"): "no seccompProfile, so not RuntimeDefault",
    ("K8S018", "5.2.8"): "only on findings where NET_RAW is not dropped",
    ("K8S018", "5.2.9"): "only on findings for an added capability",
    ("K8S018", "5.2.10"): "only on findings where drop does not include ALL",
    ("K8S020", "5.4.1"): "env[].valueFrom.secretKeyRef and envFrom[].secretRef, the two ways "
                         "the item names of taking a Secret as environment variables",
    ("KNS001", "5.7.4"): "objects in namespace default",
    ("KNS004", "5.2.1"): "namespaces without a pod-security.kubernetes.io/enforce label",
    ("KNS005", "5.3.2"): "a namespace with workloads and no NetworkPolicy: exactly the item",
    ("KNS016", "5.1.1"): _RBAC, ("KNS017", "5.1.2"): _RBAC, ("KNS018", "5.1.3"): _RBAC,
    ("KNS019", "5.1.4"): _RBAC,
    ("KNS021", "5.1.5"): "pods using the default ServiceAccount",
    ("KNS022", "5.1.6"): "automountServiceAccountToken, the pod's winning over the account's",
    ("KNS023", "5.1.7"): "bindings naming group system:masters",
    ("KNS024", "5.1.8"): _RBAC, ("KNS025", "5.1.9"): _RBAC, ("KNS026", "5.1.10"): _RBAC,
    ("KNS027", "5.1.11"): _RBAC, ("KNS028", "5.1.12"): _RBAC, ("KNS029", "5.1.13"): _RBAC,
    ("KNS030", "5.2.2"): "each finding carries only the items of the reasons it lists",
    ("KNS030", "5.2.3"): "as 5.2.2", ("KNS030", "5.2.4"): "as 5.2.2",
    ("KNS030", "5.2.5"): "as 5.2.2", ("KNS030", "5.2.9"): "as 5.2.2",
    ("KNS030", "5.2.12"): "as 5.2.2",
    ("KNS031", "4.2.1"): _KUBELET, ("KNS032", "4.2.2"): _KUBELET,
    ("KNS033", "4.2.3"): _KUBELET, ("KNS034", "4.2.4"): _KUBELET,
    ("KNS035", "4.2.5"): _KUBELET, ("KNS036", "4.2.6"): _KUBELET,
    ("KNS037", "4.2.8"): _KUBELET, ("KNS038", "4.2.9"): _KUBELET,
    ("KNS039", "4.2.10"): _KUBELET, ("KNS040", "4.2.11"): _KUBELET,
    ("KNS041", "4.2.12"): _KUBELET, ("KNS042", "4.2.13"): _KUBELET,
    **{("NODE001", f"4.1.{n}"): _NODE_FILE for n in range(1, 11)},
    **{("NODE002", f"4.2.{n}"): _NODE_KUBELET for n in range(1, 14)},
    ("NODE003", "4.3.1"): "kube-proxy's effective metrics address on the node, the item itself",
    ("KNS050", "5.2.7"): "a container that does run as root: no runAsUser, no runAsNonRoot, and "
                         "its image's config (--resolve-images) sets a root user or none",
}
_NETPOL = ("5.3.2 asks only that every namespace with workloads has NetworkPolicies; this rule "
           "fires only where the namespace has one (KNS005 reports a namespace without)")
CIS_K8S_DROPPED: dict[tuple[str, str], str] = {
    ("CT028", "5.5.1"): "5.5.1 asks for an image provenance policy (signatures, "
                        "ImagePolicyWebhook); a tag instead of a digest says nothing about where "
                        "the image came from",
    ("KNS006", "5.3.2"): _NETPOL + ": an ingress default-deny is not asked for",
    ("KNS007", "5.3.2"): _NETPOL + ": an egress default-deny is not asked for",
    ("KNS008", "5.3.2"): _NETPOL + ": a policy per workload is not asked for",
    ("KNS009", "5.3.2"): _NETPOL + ": how narrow a policy admits is not asked for",
    ("KNS010", "5.3.2"): _NETPOL + ": the item counts policies, not what they select",
}


def cis_k8s_section() -> list[str]:
    """The ``cis-k8s-1.10:`` tags, each kept or dropped with its reason; raises when a rule
    carries a tag not judged here or one judged dropped."""
    from hullcheck.rules import all_rules

    carried = {(r.id, ref.split(":", 1)[1]) for r in all_rules() for ref in r.references
               if ref.startswith("cis-k8s-1.10:")}
    if carried != set(CIS_K8S_KEPT):
        raise SystemExit(f"cis-k8s-1.10 tags not judged: {sorted(carried - set(CIS_K8S_KEPT))}; "
                         f"judged kept but not carried: {sorted(set(CIS_K8S_KEPT) - carried)}")

    def key(item: tuple[tuple[str, str], str]) -> tuple[str, tuple[int, ...]]:
        (rule, cis), _why = item
        return rule, tuple(int(p) for p in cis.split("."))

    rows = ["| rule | CIS 1.10 | verdict | reason |", "| --- | --- | --- | --- |"]
    rows += [f"| {r} | {c} | kept | {why} |" for (r, c), why in sorted(CIS_K8S_KEPT.items(),
                                                                         key=key)]
    rows += [f"| {r} | {c} | dropped | {why} |"
             for (r, c), why in sorted(CIS_K8S_DROPPED.items(), key=key)]
    return ["## CIS Kubernetes Benchmark 1.10 tags", "",
            "Every `cis-k8s-1.10:` tag was checked against the item's title and what it asks a "
            "manifest or config audit to look at. A tag is kept only where the finding is what "
            "the item asks about; where a rule judges something stricter than the item, the "
            "finding stays and the tag goes.", "", *rows, ""]


def rules_doc() -> str:
    from hullcheck.rules import all_rules

    parts = ["# hullcheck rules", "",
             "Generated from the rules' own documentation by `scripts/gen_rules_table.py`; "
             "`hullcheck explain ID` prints the same text.", "",
             "## Rule index", "",
             "Rule ids are an uppercase family prefix plus three digits, never reused (see "
             "[Retired rule ids](#retired-rule-ids)). Each rule's default severity can be "
             "overridden in the configuration (`severity-overrides`).", "", table(), ""]
    for r in sorted(all_rules(), key=lambda r: r.id):
        refs = ", ".join(f"`{x}`" for x in r.references) or "-"
        parts += [f"## {r.id} {r.name}: {r.title}", "",
                  f"Severity **{r.severity.label}**; judges {', '.join(sorted(r.inputs))}; "
                  f"references {refs}.", ""]
        for line in r.documentation().splitlines():
            parts.append("#" + line if line.startswith("## ") else line)
        parts.append("")
    parts += overlaps_section()
    parts += cis_k8s_section()
    from hullcheck.deprecations import RETIRED, explain

    titles = {r.id: r.title for r in all_rules()}
    parts += ["## Retired rule ids", "",
              "A rule id is never reused. A retired id still works wherever a rule id is "
              "accepted and stands for its successors (`hullcheck.deprecations`); each use is "
              "reported with a warning:", "",
              "- `--select` / `--ignore`, and `select` / `ignore` in config: the successors;",
              "- `# hullcheck: ignore=ID` comments, `hullcheck.dev/ignore` annotations and "
              "`per-path-ignores`: the successors;",
              "- `severity-overrides`: each successor without an override of its own;",
              "- a baseline written before the split: its entries keep matching the successors' "
              "findings (same location and evidence, so the old fingerprints); write it again "
              "to record the new ids.", "",
              "`hullcheck explain ID` and `hullcheck rules` say an id is retired and list its "
              "successors; `rules --format json` marks each successor with `\"replaces\"` and "
              "SARIF with `deprecatedIds`.", "", retired_table(), ""]
    for old in sorted(RETIRED.values(), key=lambda r: r.id):
        parts += [f"### {old.id} {old.name} (retired)", "", "```text",
                  *explain(old, titles).splitlines()[1:], "```", ""]
    return "\n".join(parts).rstrip() + "\n"


def catalog_data() -> str:
    """The module ``hullcheck.rules.catalog`` reads: one tuple of literals per rule of
    ``cli.catalogue()``, in its order, with the family entry (``rules.FAMILIES``) that holds it,
    and the tags of the host and node benchmarks' checks."""
    from hullcheck.cli import catalogue
    from hullcheck.hostaudit.catalog import checks
    from hullcheck.nodeaudit import checks as node_checks
    from hullcheck.rules import FAMILIES, _family

    family = {}
    for entry, _ in FAMILIES:
        for rule in _family(entry):
            family.setdefault(rule, entry.partition(":")[0])
    rows = [f"    ({r.id!r}, {r.name!r}, {r.title!r}, {int(r.severity)}, "
            f"{tuple(sorted(r.inputs))!r},\n     {tuple(r.references)!r},\n"
            f"     {tuple(r.extra_references)!r},\n     {r.fix!r},\n     {family[r]!r},\n"
            f"     {r.documentation()!r}),"
            for r in catalogue()]
    tags = [c.tag for c in checks()] + [c.tag for c in node_checks()]
    return "\n".join([
        '"""Generated by scripts/gen_rules_table.py from the rule classes: do not edit."""',
        "# ruff: noqa: E501",
        "",
        "from __future__ import annotations",
        "",
        "# id, name, title, severity, inputs, references, extra_references, fix, family, doc",
        "RULES: tuple[tuple[str, str, str, int, tuple[str, ...], tuple[str, ...], "
        "tuple[str, ...], str, str, str], ...] = (",
        *rows,
        ")",
        "CHECK_TAGS: tuple[str, ...] = (",
        *(f"    {t!r}," for t in tags),
        ")",
        "",
    ])


def _fill(text: str, start: str, end: str, body: str) -> str:
    head, found, rest = text.partition(start)
    if not found:
        return text
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{body}\n{end}{tail}"


def render(readme: str) -> str:
    return _fill(readme, FAMILIES_START, FAMILIES_END, families_table())


def main() -> int:
    readme = ROOT / "README.md"
    docs = ROOT / "docs" / "rules.md"
    current_readme = readme.read_text()
    wanted_readme = render(current_readme)
    wanted_docs = rules_doc()
    current_docs = docs.read_text() if docs.exists() else ""
    data = ROOT / "src" / "hullcheck" / "rules" / "_catalog_data.py"
    current_data = data.read_text() if data.exists() else ""
    wanted_data = catalog_data()
    if "--check" in sys.argv:
        stale = [str(p.relative_to(ROOT)) for p, cur, want in
                 ((readme, current_readme, wanted_readme), (docs, current_docs, wanted_docs),
                  (data, current_data, wanted_data))
                 if cur != want]
        if stale:
            print(f"{', '.join(stale)} stale: run python scripts/gen_rules_table.py")
            return 1
        return 0
    readme.write_text(wanted_readme)
    docs.parent.mkdir(exist_ok=True)
    docs.write_text(wanted_docs)
    data.write_text(wanted_data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
