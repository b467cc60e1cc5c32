"""Objects as the API server takes them: the last of a kind/namespace/name wins (with a warning
naming both places), and an object of a built-in API group the API server at
``--kubernetes-version`` refuses is an input error naming it (exit 2), never silently skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_json
from hullcheck.inputs.k8s_objects import SERVED, served_versions

ROLE = """apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: reader, namespace: {ns}}}
rules:
- {{apiGroups: [""], resources: [{res}], verbs: [{verb}]}}
---
"""
BINDING = """apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: User, name: alice}
"""


def _scan(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *args: str
          ) -> tuple[int, set[tuple[str, int]], list[str], list[str]]:
    (tmp_path / "m.yaml").write_text(text)
    code, doc, err = run_json(capsys, "scan", str(tmp_path / "m.yaml"), "--select", "KNS,K8S",
                              "--fail-on", "high", *args)
    found = {(f["rule"], f["location"]["line"]) for f in doc["findings"]
             if f["rule"] in ("KNS017", "KNS018", "K8S003")}
    errors = [e["message"] for e in doc["errors"]]
    warnings = [line for line in err.splitlines() if "warning:" in line]
    return code, found, errors, warnings


def test_second_role_of_the_same_name_is_judged(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    """The issue's case: both Roles used to vanish (the first was kept, and it was harmless)."""
    text = ROLE.format(ns="shop", res="configmaps", verb="get") + \
        ROLE.format(ns="shop", res="secrets", verb='"*"') + BINDING
    code, found, errors, warnings = _scan(capsys, tmp_path, text)
    # line 11: the second Role's rule; line 18: alice in the binding.
    assert found == {("KNS018", 11), ("KNS017", 18)}
    assert code == 1 and errors == []
    assert len(warnings) == 1
    assert "m.yaml: line 1: Role/shop/reader is defined again at " in warnings[0]
    assert "m.yaml line 7; the last one is taken, as kubectl apply does" in warnings[0]


def test_last_wins_also_when_the_last_is_harmless(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    text = ROLE.format(ns="shop", res="secrets", verb='"*"') + \
        ROLE.format(ns="shop", res="configmaps", verb="get") + BINDING
    code, found, _errors, warnings = _scan(capsys, tmp_path, text)
    assert found == set() and code == 0 and len(warnings) == 1


def test_same_name_in_another_namespace_is_another_object(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = ROLE.format(ns="other", res="configmaps", verb="get") + \
        ROLE.format(ns="shop", res="secrets", verb="get") + BINDING
    _code, found, _errors, warnings = _scan(capsys, tmp_path, text)
    assert found == {("KNS017", 18)} and warnings == []


def test_generate_name_objects_are_never_duplicates(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    pod = """apiVersion: v1
kind: Pod
metadata: {generateName: run-}
spec: {containers: [{name: c, image: a:1, securityContext: {privileged: true}}]}
---
"""
    _code, found, errors, warnings = _scan(capsys, tmp_path, pod + pod)
    assert found == {("K8S003", 4), ("K8S003", 9)}
    assert errors == [] and warnings == []


INVALID = """apiVersion: v1
kind: Deployment
metadata: {name: web}
spec: {template: {spec: {containers: [{name: a, image: a:1}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: nospec}
---
apiVersion: apps/v1
kind: ConfigMap
metadata: {labels: {a: b}}
---
apiVersion: v1
kind: Pod
metadata: {labels: {a: b}}
spec: {containers: [{name: c, image: a:1}]}
---
apiVersion: example.com/v1
kind: Deployment
metadata: {labels: {a: b}}
---
apiVersion: v1
kind: Pod
metadata: {name: still-judged}
spec: {containers: [{name: c, image: a:1, securityContext: {privileged: true}}]}
"""


def test_objects_the_api_server_refuses_are_input_errors(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, found, errors, _warnings = _scan(capsys, tmp_path, INVALID)
    assert code == 2
    assert errors == [
        "line 1: Deployment/web: apiVersion v1 does not serve Deployment; the API server at "
        "1.37 serves Deployment as apps/v1",
        "line 6: Deployment/nospec: no spec (a workload needs one)",
        "line 10: ConfigMap/<unnamed>: apiVersion apps/v1 does not serve ConfigMap; the API "
        "server at 1.37 serves ConfigMap as v1",
        "line 14: Pod/<unnamed>: no metadata.name",
    ]
    # The custom resource (example.com) is never an error; the rest of the file is judged.
    assert found == {("K8S003", 26)}


@pytest.mark.parametrize(("api_version", "kind", "last_served"), [
    ("extensions/v1beta1", "Deployment", 15),
    ("apps/v1beta1", "Deployment", 15),
    ("apps/v1beta2", "DaemonSet", 15),
    ("extensions/v1beta1", "ReplicaSet", 15),
    ("batch/v1beta1", "CronJob", 24),
    ("policy/v1beta1", "PodSecurityPolicy", 24),
    ("networking.k8s.io/v1beta1", "Ingress", 21),
    ("extensions/v1beta1", "Ingress", 21),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole", 21),
])
def test_removed_versions(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                          api_version: str, kind: str, last_served: int) -> None:
    spec = {"Deployment": "spec: {template: {spec: {containers: [{name: c, image: a:1}]}}}\n",
            "DaemonSet": "spec: {template: {spec: {containers: [{name: c, image: a:1}]}}}\n",
            "ReplicaSet": "spec: {template: {spec: {containers: [{name: c, image: a:1}]}}}\n",
            "CronJob": "spec: {jobTemplate: {spec: {template: {spec: {containers: "
                       "[{name: c, image: a:1}]}}}}}\n"}.get(kind, "")
    text = f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\n{spec}"
    _code, _found, errors, _w = _scan(capsys, tmp_path, text,
                                      "--kubernetes-version", f"1.{last_served}")
    assert errors == []
    _code, _found, errors, _w = _scan(capsys, tmp_path, text,
                                      "--kubernetes-version", f"1.{last_served + 1}")
    assert len(errors) == 1
    assert errors[0].startswith(f"line 1: {kind}/x: apiVersion {api_version} removed in "
                                f"Kubernetes 1.{last_served + 1}; ")


def test_table_serves_every_listed_kind_at_latest() -> None:
    """Every kind the table lists has a version served today except the removed kinds."""
    gone = {"PodSecurityPolicy"}
    assert {k for k in SERVED if not served_versions(k, 37)} == gone


def test_live_stream_on_stdin_as_the_readme_recipe(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The kubectl stream of tests/fixtures/cluster/kubectl-live-stream.yaml piped in as the
    README says: no error, no warning, and exactly the findings its labels name (what the user
    wrote), nothing from status, managedFields or the values the API server defaulted."""
    import io

    from conftest import FIXTURES
    from labels import read_labels

    path = FIXTURES / "cluster" / "kubectl-live-stream.yaml"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    code, doc, err = run_json(capsys, "scan", "-", "--stdin-name", "cluster.yaml",
                              "--fail-on", "critical", *read_labels(path).args)
    assert code == 1 and doc["errors"] == [] and err == ""
    got = sorted((f["rule"], f["location"]["line"]) for f in doc["findings"])
    assert got == sorted(read_labels(path).expect)
    assert len(got) == 16  # K8S014/017/018 no longer ask the privileged container


def test_lines_are_bounded(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """150 copies of one object: 100 warnings naming them (MAX_LISTED), then one line counting
    the rest; 150 refused objects likewise as errors. Scanned text is escaped."""
    from hullcheck.inputs.k8s_objects import MAX_LISTED

    assert MAX_LISTED == 100
    dup = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "a\\e[2Jb"}\n---\n'
    bad = "apiVersion: v1\nkind: Deployment\nmetadata: {name: d}\nspec: {}\n---\n"
    code, _found, errors, warnings = _scan(capsys, tmp_path, dup * 151 + bad * 150)
    assert code == 2
    assert len(warnings) == 101
    assert warnings[-1].endswith("50 more objects are defined again later and replaced by "
                                 "the last (not listed)")
    assert "\x1b" not in "".join(warnings) and "\\x1b[2J" in warnings[0]
    assert len(errors) == 101
    assert errors[-1] == "50 more objects the API server would refuse (not listed)"


def test_duplicates_are_judged_within_a_unit_never_across_units(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Two directories are two units (what `kubectl apply -f DIR` applies together): the same
    Role in each is two objects, each judged with its own binding, and no warning; within one
    directory the last one wins."""
    prod, dev = tmp_path / "prod", tmp_path / "dev"
    prod.mkdir()
    dev.mkdir()
    (prod / "rbac.yaml").write_text(ROLE.format(ns="shop", res="secrets", verb='"*"') + BINDING)
    (dev / "a.yaml").write_text(ROLE.format(ns="shop", res="secrets", verb='"*"'))
    (dev / "b.yaml").write_text(ROLE.format(ns="shop", res="configmaps", verb="get") + BINDING)
    code, doc, err = run_json(capsys, "scan", str(tmp_path), "--select", "KNS017,KNS018",
                              "--fail-on", "never")
    found = sorted((f["rule"], f["location"]["path"].rsplit("/", 2)[-2]) for f in doc["findings"])
    # prod: its Role grants * on secrets and alice is bound to it; dev: the last Role (b.yaml)
    # is harmless, so the earlier one in a.yaml is not judged.
    assert found == [("KNS017", "prod"), ("KNS018", "prod")]
    warnings = [line for line in err.splitlines() if "warning:" in line]
    assert len(warnings) == 1 and "dev/a.yaml: line 1: Role/shop/reader is defined again" in \
        warnings[0] and "dev/b.yaml line 1" in warnings[0]
    assert code == 0 and doc["errors"] == []
