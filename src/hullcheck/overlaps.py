"""One problem, one finding: rules that judge the same concern at the same place.

Some concerns are judged by two rules of different families or angles: a Kubernetes container
without limits is KNS003 (requests and limits, cpu and memory) and also CT017 (memory limit) and
CT018 (CPU limit); with ``trust.require-digest`` a ``FROM node:latest`` is DF005 (no digest) and
also DF003 (the moving ``latest`` tag). ``OVERLAPS`` lists every such pair hullcheck knows, in
precedence order: the *reporter* reports, its *duplicate* at the same place is dropped.

The step runs once per run, after selection, suppressions and the baseline
(``hullcheck.suppress.apply``), on the findings the selection kept:

- a duplicate is dropped only when its reporter was selected; when the reporter is not selected
  (``--select CT017``, ``--ignore KNS003``), the duplicate reports as before;
- a rule named by its id in ``--select`` always reports (``--select CT017,KNS003`` asks for
  both): only rules selected by default, by family or by tag are dropped as duplicates;
- the reporter carries the duplicates' tags (``references``), so SARIF and JSON still show every
  benchmark control the problem touches, and it takes the highest severity among them, so
  ``--fail-on`` gates exactly as before the duplicates were dropped;
- fingerprints do not change (nothing they hash is touched): a baseline written before keeps
  matching the reporter, and the duplicates it held no longer appear;
- the reporter keeps its own suppression: an inline ignore of the reporter hides the problem,
  one naming only a duplicate hides nothing more than it did (the reporter showed before too).

The table of overlaps found and decided (including those kept apart on purpose) is in
docs/rules.md, "Overlapping rules"; a test holds this table and that page together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from hullcheck.findings import Finding, Location


def _always(_reporter: Finding, _duplicate: Finding) -> bool:
    return True


def _kns003_lists(item: str) -> Callable[[Finding, Finding], bool]:
    """KNS003's evidence is the comma-separated list of what is missing (``limits.cpu,...``):
    it stands for CT017/CT018 only when it names the same missing limit."""

    def covers(reporter: Finding, _duplicate: Finding) -> bool:
        return item in reporter.evidence.split(",")

    return covers


def _same_evidence(reporter: Finding, duplicate: Finding) -> bool:
    """Both findings name the same thing (DF014's ``curl | sh`` is DF019's ``curl | sh``)."""
    return reporter.evidence == duplicate.evidence


def _kns030_only_privileged(reporter: Finding, duplicate: Finding) -> bool:
    """KNS030 restates K8S003 when its only reasons are privileged containers (its evidence is
    the ``|``-joined reasons); each of them has its own K8S003, this one on the same line."""
    reasons = duplicate.evidence.split("|")
    return bool(reasons) and all(
        r.startswith("container ") and r.endswith(" is privileged") for r in reasons)


@dataclass(frozen=True)
class Overlap:
    reporter: str
    duplicate: str
    concern: str  # for the docs table
    # Whether this reporter finding judges the duplicate's concern (both at the same place).
    covers: Callable[[Finding, Finding], bool] = _always
    # Across layers (docs/layers.md): the duplicate sits at another place (a compose service)
    # and names the reporter's place as its first related location (the Dockerfile line the
    # fix belongs on); the reporter then lists the duplicate's place as a related location.
    across: bool = False
    # A workload-wide duplicate (no location.container) stands at the place of a reporter on
    # one of its containers: the same file, line and object.
    any_container: bool = False


OVERLAPS: tuple[Overlap, ...] = (
    Overlap("KNS003", "CT017", "Kubernetes container without resources.limits.memory",
            _kns003_lists("limits.memory")),
    Overlap("KNS003", "CT018", "Kubernetes container without resources.limits.cpu",
            _kns003_lists("limits.cpu")),
    Overlap("K8S003", "KNS030",
            "a workload root on its node only through privileged containers (K8S003 on each)",
            _kns030_only_privileged, any_container=True),
    Overlap("KNS016", "KNS018",
            "a role rule granting * on * in every API group (cluster-admin by another name), "
            "reported on that rule's line"),
    Overlap("DF005", "DF002", "FROM without a tag when the trust policy requires digests"),
    Overlap("DF005", "DF003", "FROM with the latest tag when the trust policy requires digests"),
    Overlap("DF014", "DF019", "a download piped into a shell (curl | sh): verifying the script "
            "before it runs also ends the pipe", _same_evidence),
    Overlap("IMG016", "IMG008",
            "image asked for by latest or no tag when the trust policy requires digests"),
    Overlap("DF001", "CT015", "compose service without `user:` building a Dockerfile stage that "
            "runs as root (reported on the Dockerfile, the service related)", across=True),
    Overlap("DF018", "CT029", "compose service without `healthcheck:` building a Dockerfile "
            "stage without HEALTHCHECK (reported on the Dockerfile, the service related)",
            across=True),
    Overlap("KNS050", "K8S015", "Kubernetes container without runAsNonRoot whose image runs as "
            "root (--resolve-images): it may, and does, run as root"),
    Overlap("CT015", "IMG001", "compose service without `user:` running an image whose config "
            "runs as root (--resolve-images=deep): reported on the service, the image related",
            across=True),
    Overlap("KNS050", "IMG001", "Kubernetes container running an image whose config runs as "
            "root (--resolve-images=deep): reported on the container, the image related",
            across=True),
    Overlap("CT029", "IMG002", "compose service without `healthcheck:` running an image without "
            "one (--resolve-images=deep): reported on the service, the image related",
            across=True),
)

# Pairs that meet at one place but judge different concerns (fixing one leaves the other), or
# overlaps already settled inside the rules: audited and kept apart, listed for the docs table.
KEPT_APART: tuple[tuple[str, str, str], ...] = (
    ("CT017", "CT018", "memory and CPU are two limits, two fields to set (compose, docker)"),
    ("CT020", "CT021", "a privileged host port and every interface are two independent choices"),
    ("CT001", "CT002", "privileged and cap_add are separate fields: removing one leaves the other "
                       "(CT003 already says nothing on a privileged container)"),
    ("CT009", "CT010", "settled in CT010: it skips the Docker socket CT009 reports"),
    ("CT011", "CT014", "seccomp and no-new-privileges are separate protections"),
    ("CT015", "CT016", "every container rule with nothing set reports on the container's line: "
                       "same line, different concerns"),
    ("DF012", "DF014", "curl -k | sh: TLS verification off and an unverified script are two fixes"),
    ("DF014", "DF023", "curl http://... | sh: plain HTTP and an unverified script are two fixes "
                       "(https, a checksum)"),
    ("DF019", "DF023", "curl http://... | tar: a masked download failure and plain HTTP are two "
                       "fixes (pipefail, https)"),
    ("DF015", "DF016", "chmod 4777: the setuid bit and world-writable mode are two fixes"),
    ("DF001", "DF018", "both report on the final stage's FROM line: different concerns"),
    ("K8S002", "KNS030", "KNS030 sums up every node-access field of a workload on the first one; "
                         "the PSS rule reports the control admission rejects"),
    ("K8S010", "K8S017", "settled by Pod Security levels: restricted replaces baseline "
                         "(rules/kubernetes/_pss.py)"),
    ("K8S009", "K8S019", "settled by Pod Security levels, as K8S010/K8S017"),
    ("K8S004", "K8S018", "settled by Pod Security levels, as K8S010/K8S017"),
    ("K8S005", "K8S013", "settled by Pod Security levels, as K8S010/K8S017"),
    ("KNS005", "KNS008", "settled in KNS008: it reports only in namespaces that have policies"),
    ("KNS021", "KNS022", "settled in KNS022: pods running as default are KNS021's"),
    ("KNS002", "KNS003", "a namespace without quota and a container without resources are two "
                         "places"),
    ("IMG007", "IMG012", "EXPOSE 22 and an installed SSH server are two fixes"),
    ("DF001", "IMG001", "the Dockerfile and the built image are two inputs of two runs"),
    ("CT015", "IMG001", "host: the container and its image are two places (user set at run time "
                        "or in the image)"),
    ("HOST008", "IMG012", "host: a running sshd (the container) and an installed one (the image)"),
    ("HOST024", "CT014", "host: the daemon default and each container's setting are two places"),
    ("HOST027", "CT011", "host: the daemon default and each container's setting are two places"),
)

_BY_DUPLICATE: dict[str, tuple[Overlap, ...]] = {}
for _o in OVERLAPS:
    _BY_DUPLICATE[_o.duplicate] = (*_BY_DUPLICATE.get(_o.duplicate, ()), _o)
_REPORTERS = frozenset(o.reporter for o in OVERLAPS)
_ANY_CONTAINER = frozenset(o.reporter for o in OVERLAPS if o.any_container)

_Place = tuple[str, int, str, str, str, str]


def _place(f: Finding, container: bool = True) -> _Place:
    """Where a finding is, everything but the rule: the same problem is in the same place."""
    return _place_of(f.location, container)


def _place_of(loc: Location, container: bool = True) -> _Place:
    return (loc.path or "", loc.line or 0, loc.object or "",
            (loc.container or "") if container else "",
            loc.image.ref if loc.image else "", loc.setting or "")


def resolve(findings: Iterable[Finding], named: Iterable[str] = ()) -> list[Finding]:
    """``findings`` without the duplicates of a reporter found at the same place, in order.

    Each reporter absorbs the tags and (when higher) the severity of what it stands for. A rule
    in ``named`` (ids named one by one in ``--select``) is never dropped. Linear in the number of
    findings: only reporters are indexed by place.
    """
    findings = list(findings)
    keep = frozenset(named)
    reporters: dict[tuple[str, _Place], list[Finding]] = {}
    for f in findings:
        if f.rule in _REPORTERS:
            reporters.setdefault((f.rule, _place(f)), []).append(f)
            if f.rule in _ANY_CONTAINER and f.location.container:
                reporters.setdefault((f.rule, _place(f, container=False)), []).append(f)
    if not reporters:
        return findings
    kept: list[Finding] = []
    for f in findings:
        standing_for = None if f.rule in keep else _reporter_of(f, reporters)
        if standing_for is None:
            kept.append(f)
            continue
        if f.related_locations and f.location not in standing_for.related_locations \
                and standing_for.location in f.related_locations:
            standing_for.related_locations = (*standing_for.related_locations, f.location)
        extra = tuple(r for r in f.references if r not in standing_for.references)
        if extra:
            standing_for.references = (*standing_for.references, *extra)
        if f.severity > standing_for.severity:
            standing_for.severity = f.severity
    return kept


def _reporter_of(f: Finding, reporters: dict[tuple[str, _Place], list[Finding]]
                 ) -> Finding | None:
    for overlap in _BY_DUPLICATE.get(f.rule, ()):
        if overlap.across:
            if not f.related_locations:
                continue
            place = _place_of(f.related_locations[0])
        else:
            place = _place(f)
        for candidate in reporters.get((overlap.reporter, place), ()):
            if overlap.covers(candidate, f):
                return candidate
    return None
