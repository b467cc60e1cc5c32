"""A large, realistic Kubernetes manifest tree for benchmarks.

    python bench/k8s_corpus.py OUT_DIR [--namespaces 240]

Per namespace: the Namespace (Pod Security labels on most), a ResourceQuota and LimitRange on
some, service accounts, 8 applications (Deployment or StatefulSet or CronJob, a Service, a
ConfigMap, an allow NetworkPolicy), an Ingress, a default-deny policy on most, and a Role with
its RoleBinding; plus cluster-wide ClusterRoles (one aggregated) and bindings. About 42 objects
per namespace: 240 namespaces make ~10,000 objects. Deterministic (seeded), so runs compare.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

APP_KINDS = ("Deployment", "Deployment", "Deployment", "StatefulSet", "CronJob")


def _pod_spec(rng: random.Random, app: str, ns: str, p: str) -> str:
    """A pod spec whose keys are indented by ``p``."""
    sc = (f"{p}  securityContext:\n{p}    allowPrivilegeEscalation: false\n"
          f"{p}    capabilities: {{drop: [ALL]}}\n{p}    readOnlyRootFilesystem: true\n"
          ) if rng.random() < 0.7 else ""
    res = (f"{p}  resources:\n{p}    requests: {{cpu: 100m, memory: 128Mi}}\n"
           f"{p}    limits: {{cpu: 500m, memory: 256Mi}}\n") if rng.random() < 0.6 else ""
    host = f"{p}hostNetwork: true\n" if rng.random() < 0.01 else ""
    return (f"{p}serviceAccountName: {app}\n"
            f"{p}automountServiceAccountToken: {str(rng.random() < 0.3).lower()}\n{host}"
            f"{p}securityContext: {{runAsNonRoot: true, seccompProfile: "
            f"{{type: RuntimeDefault}}}}\n"
            f"{p}containers:\n"
            f"{p}- name: {app}\n"
            f"{p}  image: registry.example.com/{ns}/{app}:1.{rng.randrange(40)}.0\n"
            f"{p}  ports: [{{containerPort: 8080}}]\n"
            f"{p}  env:\n"
            f"{p}  - {{name: LOG_LEVEL, value: info}}\n"
            f"{p}  - name: DB_PASSWORD\n"
            f"{p}    valueFrom: {{secretKeyRef: {{name: {app}-db, key: password}}}}\n"
            f"{p}  envFrom: [{{configMapRef: {{name: {app}-config}}}}]\n{sc}{res}")


def _workload(rng: random.Random, kind: str, app: str, ns: str, team: str) -> str:
    labels = f"{{app: {app}, team: {team}, tier: {rng.choice(['front', 'back', 'data'])}}}"
    if kind == "CronJob":
        return (f"apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {app}\n"
                f"  namespace: {ns}\n  labels: {labels}\nspec:\n  schedule: '*/15 * * * *'\n"
                f"  jobTemplate:\n    spec:\n      template:\n        metadata:\n"
                f"          labels: {labels}\n        spec:\n          restartPolicy: OnFailure\n"
                + _pod_spec(rng, app, ns, "          "))
    api = "apps/v1"
    extra = f"  serviceName: {app}\n" if kind == "StatefulSet" else ""
    return (f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {app}\n  namespace: {ns}\n"
            f"  labels: {labels}\n  annotations:\n    owner: {team}@example.com\n"
            f"spec:\n  replicas: {rng.randrange(1, 6)}\n{extra}"
            f"  selector:\n    matchLabels: {{app: {app}}}\n  template:\n    metadata:\n"
            f"      labels: {labels}\n    spec:\n" + _pod_spec(rng, app, ns, "      "))


def _app(rng: random.Random, app: str, ns: str, team: str) -> str:
    kind = rng.choice(APP_KINDS)
    svc_type = "LoadBalancer" if rng.random() < 0.03 else (
        "NodePort" if rng.random() < 0.05 else "ClusterIP")
    docs = [
        _workload(rng, kind, app, ns, team),
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\n  namespace: {ns}\n"
        f"spec:\n  type: {svc_type}\n  selector: {{app: {app}}}\n"
        f"  ports:\n  - {{name: http, port: 80, targetPort: 8080}}\n",
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-config\n  namespace: {ns}\n"
        f"data:\n  FEATURE_FLAGS: 'a,b,c'\n  UPSTREAM: http://{app}-backend.{ns}.svc:8080\n",
        f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {app}\n  namespace: {ns}\n",
        f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n"
        f"  name: {app}-allow\n  namespace: {ns}\nspec:\n"
        f"  podSelector:\n    matchLabels: {{app: {app}}}\n  policyTypes: [Ingress, Egress]\n"
        f"  ingress:\n  - from:\n    - podSelector:\n        matchExpressions:\n"
        f"        - {{key: tier, operator: In, values: [front, back]}}\n"
        f"    - namespaceSelector:\n        matchLabels: {{kubernetes.io/metadata.name: "
        f"ingress-nginx}}\n    ports: [{{port: 8080}}]\n"
        f"  egress:\n  - to:\n    - podSelector: {{matchLabels: {{team: {team}}}}}\n"
        f"  - ports: [{{port: 53, protocol: UDP}}]\n",
    ]
    return "---\n".join(docs)


def _namespace(rng: random.Random, ns: str, team: str, apps: list[str]) -> str:
    level = rng.choice(["restricted", "restricted", "baseline", None])
    labels = f"\n  labels:\n    pod-security.kubernetes.io/enforce: {level}" if level else ""
    docs = [f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}{labels}\n"]
    if rng.random() < 0.8:
        docs.append(f"apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: quota\n"
                    f"  namespace: {ns}\nspec:\n  hard: {{requests.cpu: '20', "
                    f"requests.memory: 40Gi, pods: '100'}}\n")
        docs.append(f"apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\n"
                    f"  namespace: {ns}\nspec:\n  limits:\n  - type: Container\n"
                    f"    default: {{cpu: 500m, memory: 256Mi}}\n"
                    f"    defaultRequest: {{cpu: 100m, memory: 128Mi}}\n")
    if rng.random() < 0.85:
        docs.append(f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n"
                    f"  name: default-deny\n  namespace: {ns}\nspec:\n  podSelector: {{}}\n"
                    f"  policyTypes: [Ingress, Egress]\n")
    paths = "".join(
        f"      - path: /{a}\n        pathType: Prefix\n        backend:\n"
        f"          service: {{name: {a}, port: {{number: 80}}}}\n" for a in apps[:4])
    tls = f"  tls:\n  - hosts: [{ns}.example.com]\n    secretName: {ns}-tls\n" \
        if rng.random() < 0.9 else ""
    docs.append(f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {ns}\n"
                f"  namespace: {ns}\nspec:\n  ingressClassName: nginx\n{tls}  rules:\n"
                f"  - host: {ns}.example.com\n    http:\n      paths:\n{paths}")
    verbs = "[get, list, watch]" if rng.random() < 0.9 else "['*']"
    docs.append(f"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n"
                f"  name: {team}-dev\n  namespace: {ns}\nrules:\n"
                f"- apiGroups: ['', apps]\n  resources: [pods, pods/log, deployments, "
                f"configmaps]\n  verbs: {verbs}\n"
                f"- apiGroups: ['']\n  resources: [pods/exec]\n  verbs: [create]\n")
    docs.append(f"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n"
                f"  name: {team}-dev\n  namespace: {ns}\nroleRef:\n"
                f"  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: {team}-dev\n"
                f"subjects:\n- {{kind: Group, name: {team}-developers, "
                f"apiGroup: rbac.authorization.k8s.io}}\n"
                f"- {{kind: ServiceAccount, name: {apps[0]}, namespace: {ns}}}\n")
    return "---\n".join(docs)


def _cluster(rng: random.Random, teams: list[str]) -> str:
    docs = [
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n"
        "  name: platform\naggregationRule:\n  clusterRoleSelectors:\n"
        "  - matchLabels: {example.com/aggregate-to-platform: 'true'}\nrules: []\n",
    ]
    for i, team in enumerate(teams):
        docs.append(
            f"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n"
            f"  name: {team}-read\n  labels: {{example.com/aggregate-to-platform: "
            f"'{str(i % 2 == 0).lower()}'}}\nrules:\n"
            f"- apiGroups: ['']\n  resources: [namespaces, nodes]\n  verbs: [get, list]\n"
            + ("- apiGroups: ['']\n  resources: [secrets]\n  verbs: [get]\n"
               if rng.random() < 0.2 else ""))
        docs.append(
            f"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n"
            f"  name: {team}-read\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n"
            f"  kind: ClusterRole\n  name: {team}-read\nsubjects:\n"
            f"- {{kind: Group, name: {team}, apiGroup: rbac.authorization.k8s.io}}\n")
    docs.append(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n"
        "  name: platform-admins\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n"
        "  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n"
        "- {kind: Group, name: platform-admins, apiGroup: rbac.authorization.k8s.io}\n")
    return "---\n".join(docs)


def generate(out: Path, namespaces: int = 240, seed: int = 1) -> list[Path]:
    rng = random.Random(seed)
    files: list[Path] = []
    teams = [f"team-{t}" for t in range(max(1, namespaces // 8))]
    for n in range(namespaces):
        ns = f"ns-{n:05d}"
        team = teams[n % len(teams)]
        apps = [f"app-{a}" for a in range(8)]
        d = out / ns
        d.mkdir(parents=True, exist_ok=True)
        files.append(d / "namespace.yaml")
        files[-1].write_text(_namespace(rng, ns, team, apps))
        for app in apps:
            files.append(d / f"{app}.yaml")
            files[-1].write_text(_app(rng, app, ns, team))
    files.append(out / "cluster-rbac.yaml")
    files[-1].write_text(_cluster(rng, teams))
    return files


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--namespaces", type=int, default=240)
    args = ap.parse_args()
    files = generate(args.out, args.namespaces)
    print(f"{len(files)} files in {args.out}")


if __name__ == "__main__":
    main()
