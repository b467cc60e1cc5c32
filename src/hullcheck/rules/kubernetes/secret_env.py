from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.pod import Pod, dig
from hullcheck.rules.base import Rule


class SecretInEnv(Rule):
    """
    ## What it finds
    A container (init and ephemeral containers too) that takes a Secret into its environment:
    an `env` entry with `valueFrom.secretKeyRef`, or an `envFrom` entry with `secretRef`. The
    finding points at that `env` / `envFrom` entry. Not judged: Secrets mounted as files
    (`volumes[].secret`, projected volumes), `configMapKeyRef` / `configMapRef` (ConfigMaps
    are not meant for credentials; their content is another rule's concern), and
    environment variables with literal values (CT024 judges those). This rule is no Pod
    Security Standards control: it reports whatever `--pss-level` is.

    ## Why it matters
    Environment variables leak more easily than files: they are inherited by every child
    process, printed by crash handlers, debug pages and `env` in a support session, and often
    logged whole by applications at start-up. A Secret mounted as a file stays where it is, can
    be read only by the process that opens it, and is updated in place when the Secret changes
    (an environment variable keeps the old value until the pod restarts). CIS Kubernetes
    Benchmark 5.4.1.

    ## How to fix
    Mount the Secret as a read-only volume and have the application read the file (many
    images accept a `*_FILE` variable naming it).

    Before:
    ```yaml
    env:
      - name: DB_PASSWORD
        valueFrom:
          secretKeyRef: {name: db, key: password}
    ```
    After:
    ```yaml
    env:
      - name: DB_PASSWORD_FILE
        value: /run/secrets/db/password
    volumeMounts:
      - {name: db, mountPath: /run/secrets/db, readOnly: true}
    # and in the pod: volumes: [{name: db, secret: {secretName: db}}]
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.4.1 "Prefer using Secrets as files over Secrets as
      environment variables"
    """

    id = "K8S020"
    name = "secret-in-env"
    title = "Secret passed into the environment"
    severity = Severity.LOW
    references = ("cis-k8s-1.10:5.4.1",)
    fix = "Mount the Secret as a read-only file instead of `secretKeyRef` / `envFrom.secretRef`."
    inputs = frozenset({"kubernetes"})

    def check_pod(self, ctx: Any, pod: Pod) -> Iterator[Finding]:
        for c in pod.containers:
            for line, entry in c.entries("env"):
                ref = dig(entry, "valueFrom", "secretKeyRef")
                if ref is None:
                    continue
                secret = dig(ref, "name")
                key = dig(ref, "key")
                yield self.finding(
                    pod.location(line, c),
                    f'Container "{c.name}" takes key {key!s} of Secret {secret!s} into '
                    f"environment variable {entry.get('name')!s}.",
                    evidence=f"secretKeyRef:{entry.get('name')!s}",
                )
            for line, entry in c.entries("envFrom"):
                ref = dig(entry, "secretRef")
                if ref is None:
                    continue
                secret = dig(ref, "name")
                yield self.finding(
                    pod.location(line, c),
                    f'Container "{c.name}" takes every key of Secret {secret!s} into its '
                    "environment (envFrom.secretRef).",
                    evidence=f"secretRef:{secret!s}",
                )
