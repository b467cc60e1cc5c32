"""Exposure messages say exactly what is exposed: KNS011/KNS012 the workloads behind the host
they report (not every backend of the Ingress), KNS014 a Service's ports and its node ports."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_json

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: admin, namespace: shop}
spec:
  selector: {matchLabels: {app: admin}}
  template:
    metadata: {labels: {app: admin}}
    spec: {containers: [{name: admin, image: admin:1}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: admin, namespace: shop}
spec: {selector: {app: admin}, ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules:
  - host: shop.example.com
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
  - host: admin.example.com
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}]
  - host: "*.preview.example.com"
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: nowhere, port: {number: 80}}}}]
"""


def test_host_findings_name_that_hosts_workloads(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ingress.yaml").write_text(MANIFEST)
    _code, doc, _err = run_json(capsys, "scan", str(tmp_path / "ingress.yaml"),
                                "--select", "KNS011,KNS012", "--fail-on", "never")
    messages = {(f["rule"], f["message"]) for f in doc["findings"]}
    assert ("KNS011", "Ingress/shop/shop: host admin.example.com has no TLS entry; it serves "
            "Deployment/shop/admin over plain HTTP.") in messages
    assert ("KNS012", "Ingress/shop/shop: host *.preview.example.com routes every matching "
            "name to no workload in this scan.") in messages
    assert not any("Deployment/shop/web" in m for _r, m in messages)


SERVICES = """\
apiVersion: v1
kind: Service
metadata: {name: argocd-server, namespace: argocd}
spec:
  type: NodePort
  selector: {app: argocd-server}
  ports:
  - {name: http, port: 80, targetPort: 8080, nodePort: 30080}
  - {name: https, port: 443, targetPort: 8080}
---
apiVersion: v1
kind: Service
metadata: {name: lb, namespace: argocd}
spec:
  type: LoadBalancer
  selector: {app: argocd-server}
  ports: [{port: 443, nodePort: 31443}]
"""


def test_service_ports_say_which_is_the_node_port(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "svc.yaml").write_text(SERVICES)
    _code, doc, _err = run_json(capsys, "scan", str(tmp_path / "svc.yaml"),
                                "--select", "KNS014", "--fail-on", "never")
    messages = sorted(f["message"] for f in doc["findings"])
    assert messages == [
        "Service/argocd/argocd-server is a NodePort on ports 80 (node port 30080), 443 (node "
        "port assigned by the cluster): it exposes no workload in this scan.",
        "Service/argocd/lb is a LoadBalancer on ports 443 (node port 31443), open to every "
        "address (no loadBalancerSourceRanges): it exposes no workload in this scan.",
    ]
