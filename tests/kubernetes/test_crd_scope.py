"""Custom resources take their scope from a CustomResourceDefinition in the same scan."""

from __future__ import annotations

from hullcheck.inputs.kubernetes import _apply_crd_scopes, load_objects
from hullcheck.sources import Source

TEXT = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: issuer2s.cert.example.com}
spec:
  group: cert.example.com
  scope: Cluster
  names: {kind: Issuer2, plural: issuer2s}
---
apiVersion: cert.example.com/v1
kind: Issuer2
metadata: {name: letsencrypt}
---
apiVersion: other.example.com/v1
kind: Issuer2
metadata: {name: same-kind-other-group}
---
apiVersion: cert.example.com/v1
kind: Certificate
metadata: {name: web}
"""


def test_cluster_scoped_custom_kinds_have_no_namespace() -> None:
    errors: list = []
    objects = load_objects(Source(path="crd.yaml", text=TEXT), "default", errors)
    _apply_crd_scopes(objects)
    refs = [o.ref for o in objects]
    assert refs == [
        "CustomResourceDefinition/issuer2s.cert.example.com",
        "Issuer2/letsencrypt",
        "Issuer2/default/same-kind-other-group",
        "Certificate/default/web",
    ]
    assert not errors
