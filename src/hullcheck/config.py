"""Configuration: ``.hullcheck.yaml`` or ``[tool.hullcheck]`` in ``pyproject.toml``.

```yaml
fail-on: high                 # a severity or "never"
select: [DF, CT]              # rule ids, family prefixes or reference tags
ignore: [hadolint:DL3007]
per-path-ignores:             # glob over the path as reported -> selectors
  "legacy/**": [DF010]
severity-overrides:           # rule id -> severity
  DF013: low
trust:                        # one policy for every layer
  allowed: [docker.io/library/*, ghcr.io/acme/**]
  require-digest: true
  keys:
    - images: ghcr.io/acme/**
      key: keys/cosign.pub
  notation:                   # Notation (Notary Project) trust stores: PEM CA certificates
    - images: ghcr.io/acme/**
      trust-store: certs/acme-root.pem      # or a list of files
      identities:                           # optional trustedIdentities (default: any signer)
        - "x509.subject: C=US, ST=WA, O=acme, CN=release"
  keyless:                    # cosign keyless (Fulcio certificate + Rekor) signers
    - images: ghcr.io/acme/**
      identity: https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main
      issuer: https://token.actions.githubusercontent.com   # or identity-/issuer-regexp
  attestations:               # in-toto predicate types required, verified with the same keys
    - images: ghcr.io/acme/**   # and keyless identities (cosign verify-attestation --type)
      predicate-types: [https://slsa.dev/provenance/v1]
```
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hullcheck.findings import Severity
from hullcheck.references import ImageReference, glob_to_regex, matches_any, normalise_pattern

if TYPE_CHECKING:
    from hullcheck.trust.keyless_policy import KeylessIdentity

CONFIG_NAMES = (".hullcheck.yaml", ".hullcheck.yml")


class ConfigError(ValueError):
    pass


@dataclass
class TrustKey:
    images: str  # glob over normalised references
    key: Path


@dataclass
class TrustRoots:
    images: str | None  # glob over normalised references; None: every image
    trust_store: list[Path]  # PEM (or DER) CA certificates for Notation signatures
    identities: list[str] | None = None  # trustedIdentities ("x509.subject: ..."); None: any


@dataclass
class TrustAttestations:
    images: str | None  # glob over normalised references; None: every image
    predicate_types: list[str]  # in-toto predicate type URIs, each required


@dataclass
class TrustPolicy:
    allowed: list[str] = field(default_factory=list)  # empty = every registry allowed
    require_digest: bool = False
    keys: list[TrustKey] = field(default_factory=list)
    notation: list[TrustRoots] = field(default_factory=list)
    keyless: list[KeylessIdentity] = field(default_factory=list)
    attestations: list[TrustAttestations] = field(default_factory=list)

    def is_allowed(self, ref: ImageReference) -> bool:
        return not self.allowed or matches_any(ref, self.allowed)

    def keys_for(self, ref: ImageReference | None) -> list[Path]:
        return [k.key for k in self.keys if _applies(k.images, ref)]

    def roots_for(self, ref: ImageReference | None) -> list[Path]:
        return [path for r in self.notation if _applies(r.images, ref) for path in r.trust_store]

    def notation_for(self, ref: ImageReference | None) -> list[TrustRoots]:
        """The ``trust.notation`` entries that apply to ``ref``, each with its identities."""
        return [r for r in self.notation if _applies(r.images, ref)]

    def identities_for(self, ref: ImageReference | None) -> list[KeylessIdentity]:
        return [k for k in self.keyless if _applies(k.images, ref)]

    def attestations_for(self, ref: ImageReference | None) -> list[str]:
        """The predicate types ``trust.attestations`` requires of ``ref``, each once."""
        return list(dict.fromkeys(
            t for a in self.attestations if _applies(a.images, ref) for t in a.predicate_types
        ))


def _applies(pattern: str | None, ref: ImageReference | None) -> bool:
    """Whether a trust entry's ``images`` glob covers ``ref``. An image without a name (an OCI
    layout entry without a reference for a name) is covered only by the entries meant for every
    image: no ``images``, or ``**``."""
    if pattern is None:
        return True
    if ref is None:
        return pattern.strip() == "**"
    return bool(glob_to_regex(normalise_pattern(pattern)).match(ref.name))


@dataclass
class Config:
    fail_on: Severity | None = Severity.HIGH  # None = never fail on findings
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    trust: TrustPolicy = field(default_factory=TrustPolicy)
    source: str | None = None  # the file it came from
    base_dir: Path = field(default_factory=Path.cwd)

    def path_ignores(self, path: str) -> list[str]:
        """Selectors of the ``per-path-ignores`` globs matching ``path``: as the finding reports
        it, or relative to the config file's directory (so ``legacy/**`` in a repository's
        config holds for ``hullcheck scan /abs/repo`` and from a subdirectory too)."""
        candidates = [path]
        relative = self._config_relative(path)
        if relative is not None and relative != path:
            candidates.append(relative)
        out: list[str] = []
        for pattern, selectors in self.per_path_ignores.items():
            if any(fnmatch.fnmatch(c, pattern) or glob_to_regex(pattern).match(c)
                   for c in candidates):
                out.extend(selectors)
        return out

    def _config_relative(self, path: str) -> str | None:
        if not self.source or not path or path == "-":
            return None
        base = os.path.abspath(self.base_dir)
        try:
            rel = os.path.relpath(os.path.abspath(path), base)
        except ValueError:  # another drive (Windows)
            return None
        return None if rel == ".." or rel.startswith(".." + os.sep) else rel.replace(os.sep, "/")


def parse_fail_on(text: str) -> Severity | None:
    if text.strip().lower() == "never":
        return None
    try:
        return Severity.parse(text)
    except ValueError as exc:  # "... (expected one of: info, ...)": "never" is valid here too
        raise ValueError(f"{str(exc).removesuffix(')')}, never)") from None


def _str_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"{where}: expected a list of strings")


def from_mapping(data: Any, source: str, base_dir: Path) -> Config:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    known = {"fail-on", "select", "ignore", "per-path-ignores", "severity-overrides", "trust"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s): {', '.join(map(str, unknown))}")
    cfg = Config(source=source, base_dir=base_dir)
    try:
        if "fail-on" in data:
            cfg.fail_on = parse_fail_on(str(data["fail-on"]))
        cfg.select = _str_list(data.get("select"), f"{source}: select")
        cfg.ignore = _str_list(data.get("ignore"), f"{source}: ignore")
        ppi = data.get("per-path-ignores") or {}
        if not isinstance(ppi, dict):
            raise ConfigError(f"{source}: per-path-ignores must map globs to rule lists")
        cfg.per_path_ignores = {
            str(k): _str_list(v, f"{source}: per-path-ignores.{k}") for k, v in ppi.items()
        }
        sev = data.get("severity-overrides") or {}
        if not isinstance(sev, dict):
            raise ConfigError(f"{source}: severity-overrides must map rule ids to severities")
        cfg.severity_overrides = {str(k): Severity.parse(str(v)) for k, v in sev.items()}
        cfg.trust = _trust(data.get("trust"), source, base_dir)
    except ValueError as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"{source}: {exc}") from None
    return cfg


def _trust(data: Any, source: str, base_dir: Path) -> TrustPolicy:
    if data is None:
        return TrustPolicy()
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: trust must be a mapping")
    unknown = sorted(set(data) - {"allowed", "require-digest", "keys", "notation",
                             "keyless", "attestations"})
    if unknown:
        raise ConfigError(f"{source}: unknown trust setting(s): {', '.join(map(str, unknown))}")
    keys: list[TrustKey] = []
    for i, entry in enumerate(data.get("keys") or []):
        if not isinstance(entry, dict) or "key" not in entry:
            raise ConfigError(f"{source}: trust.keys[{i}] needs 'key' (and optional 'images')")
        key = Path(os.path.expanduser(str(entry["key"])))
        if not key.is_absolute():
            key = base_dir / key
        _check_key(key, f"{source}: trust.keys[{i}].key")
        keys.append(TrustKey(images=str(entry.get("images", "**")), key=key))
    return TrustPolicy(
        allowed=_str_list(data.get("allowed"), f"{source}: trust.allowed"),
        require_digest=bool(data.get("require-digest", False)),
        keys=keys,
        notation=_notation(data.get("notation"), source, base_dir),
        keyless=_keyless(data.get("keyless"), source),
        attestations=_attestations(data.get("attestations"), source),
    )


def _check_key(path: Path, where: str) -> None:
    """A cosign public key must load now: a key that cannot be read would otherwise only show
    as a failed verification per image (and never for an image with nothing to verify)."""
    from hullcheck.trust.cosign import KeyError_, load_key_file

    try:
        load_key_file(path)
    except KeyError_ as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _attestations(data: Any, source: str) -> list[TrustAttestations]:
    """``trust.attestations``: the in-toto predicate types required per image pattern."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise ConfigError(f"{source}: trust.attestations must be a list of"
                          " {images, predicate-types} entries")
    out: list[TrustAttestations] = []
    for i, entry in enumerate(data):
        where = f"{source}: trust.attestations[{i}]"
        if not isinstance(entry, dict) or "predicate-types" not in entry:
            raise ConfigError(f"{where} needs 'predicate-types' (and optional 'images')")
        unknown = sorted(set(entry) - {"images", "predicate-types"})
        if unknown:
            raise ConfigError(f"{where}: unknown setting(s): {', '.join(map(str, unknown))}")
        types = _str_list(entry["predicate-types"], f"{where}.predicate-types")
        if not types:
            raise ConfigError(f"{where}.predicate-types names no predicate type")
        for text in types:
            if not _is_uri(text):
                raise ConfigError(
                    f"{where}.predicate-types: {text!r} is not a predicate type URI (write the"
                    " full type, e.g. https://slsa.dev/provenance/v1, not cosign's short name)")
        images = entry.get("images")
        out.append(TrustAttestations(None if images is None else str(images), types))
    return out


def _is_uri(text: str) -> bool:
    """An absolute URI: a scheme, ``:``, something after it, and no white space."""
    scheme, sep, rest = text.partition(":")
    return bool(sep and rest and scheme[:1].isalpha() and not any(c.isspace() for c in text)
                and all(c.isalnum() or c in "+-." for c in scheme))


def _keyless(data: Any, source: str) -> list[KeylessIdentity]:
    from hullcheck.trust.keyless_policy import IdentityError, parse_config

    try:
        return parse_config(data, source)
    except IdentityError as exc:
        raise ConfigError(str(exc)) from None


def _notation(data: Any, source: str, base_dir: Path) -> list[TrustRoots]:
    """``trust.notation``: trust stores per image pattern, each file read and checked now so a
    wrong path is one error at start-up rather than a failed verification per image."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise ConfigError(f"{source}: trust.notation must be a list of"
                          " {images, trust-store} entries")
    from hullcheck.trust.notation_certs import TrustStoreError, load_certificates

    out: list[TrustRoots] = []
    for i, entry in enumerate(data):
        where = f"{source}: trust.notation[{i}]"
        if not isinstance(entry, dict) or "trust-store" not in entry:
            raise ConfigError(f"{where} needs 'trust-store' (and optional 'images')")
        unknown = sorted(set(entry) - {"images", "trust-store", "identities"})
        if unknown:
            raise ConfigError(f"{where}: unknown setting(s): {', '.join(map(str, unknown))}")
        paths: list[Path] = []
        for text in _str_list(entry["trust-store"], f"{where}.trust-store"):
            path = Path(os.path.expanduser(text))
            path = path if path.is_absolute() else base_dir / path
            try:
                load_certificates(path)
            except TrustStoreError as exc:
                raise ConfigError(f"{where}.trust-store: {exc}") from None
            paths.append(path)
        if not paths:
            raise ConfigError(f"{where}.trust-store names no file")
        images = entry.get("images")
        identities = None
        if entry.get("identities") is not None:
            from hullcheck.trust.notation_identity import IdentityError, parse_identities

            identities = _str_list(entry["identities"], f"{where}.identities")
            try:
                parse_identities(identities)
            except IdentityError as exc:
                raise ConfigError(f"{where}.identities: {exc}") from None
        out.append(TrustRoots(images=None if images is None else str(images), trust_store=paths,
                              identities=identities))
    return out


def load_file(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: config is not UTF-8 text") from None
    if path.name == "pyproject.toml":
        import tomllib

        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
        return from_mapping(doc.get("tool", {}).get("hullcheck", {}), str(path), path.parent)
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {str(exc).splitlines()[0]}") from None
    return from_mapping(data, str(path), path.parent)


def discover(start: Path) -> Config:
    """The nearest ``.hullcheck.yaml`` or ``pyproject.toml`` with ``[tool.hullcheck]``, walking up
    from ``start``; defaults when there is none."""
    here = start.resolve()
    for directory in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return load_file(candidate)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                has_section = "[tool.hullcheck" in pyproject.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                has_section = False
            if has_section:
                return load_file(pyproject)
        if (directory / ".git").exists():
            break
    return Config()
