from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import EnvVar
from hullcheck.models.graph import ObjectGraph
from hullcheck.models.lines import LineDict
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule
from hullcheck.rules.container.env_secrets import secret_reason

# Kubernetes refuses a ConfigMap larger than 1 MiB; a longer value cannot be applied, and only
# this much of one is judged (bounds the credential patterns' work on hostile input).
MAX_VALUE_CHARS = 1024 * 1024


class SecretInConfigMap(ClusterRule):
    """
    ## What it finds
    A credential in a ConfigMap's `data`, judged as CT024 judges a container's environment
    (`hullcheck.credentials`): a literal value under a key named like a secret
    (`DB_PASSWORD: hunter2`, `api-key: ...`), or a value shaped like a known credential whatever
    the key (AWS access keys, GitHub and Slack tokens, PEM private keys, a URL with a literal
    password such as `postgres://app:s3cret@db/app`), including inside a whole configuration file
    kept under one key (`application.properties: |` ... a private key or such a URL). Reported at
    the key's line. Not findings: placeholders (`<your-key>`, `changeme-in-production`, `xxx`,
    `${VAR}` or `{{ ... }}` templates), paths and switches, settings about a credential
    (`ACCESS_TOKEN_EXPIRE_MINUTES`, `PASSWORD_HASHER`), keys such as `*_FILE` that point at a
    secret, `binaryData` (not text), and a `key=value` line inside a file kept under a key that
    is not itself secret-looking (only the credential shapes are looked for there). The value is
    never printed. Only the first 1 MiB of a value is judged (the size Kubernetes accepts for a
    whole ConfigMap).

    High, as CT024: the value is as much a live credential as in an environment variable, and
    a ConfigMap is more exposed than a Secret: the built-in `view` role reads ConfigMaps but not
    Secrets, encryption at rest is commonly configured for Secrets only, and ConfigMaps are
    printed by `kubectl describe` and kept in Git with the rest of the manifests.

    ## Why it matters
    Whoever can read ConfigMaps in the namespace, or the repository holding the manifest, gets
    the credential.

    ## How to fix
    Move the value to a Secret and mount it as a file (or reference it with `secretKeyRef`).

    Before:
    ```yaml
    kind: ConfigMap
    data:
      DB_PASSWORD: hunter2
    ```
    After:
    ```yaml
    kind: Secret
    stringData:
      DB_PASSWORD: hunter2  # created from a secret store, not committed
    ```

    ## References
    - Kubernetes documentation, "ConfigMaps": "ConfigMap does not provide secrecy or
      encryption". Not tagged `cis-k8s-1.10:5.4.1`: that control compares Secrets mounted as
      files with Secrets in environment variables, it says nothing about ConfigMaps.
    """

    id = "KNS045"
    name = "secret-in-configmap"
    title = "Secret written in a ConfigMap"
    severity = Severity.HIGH
    fix = "Move the credential to a Secret and mount it as a file."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for cm in graph.by_kind.get("ConfigMap", []):
            data = cm.data.get("data")
            if not isinstance(data, dict):
                continue
            for key, raw in data.items():
                if raw is None or isinstance(raw, (dict, list)):
                    continue
                value = str(raw)[:MAX_VALUE_CHARS]
                reason = secret_reason(EnvVar(str(key), value))
                if reason is None:
                    continue
                line = data.line_of(key) if isinstance(data, LineDict) else None
                yield self.finding(
                    cm.location(line),
                    f"{cm.ref}: key {key} holds {reason} ({len(value)} characters, not shown).",
                    evidence=f"key={key}",
                )
