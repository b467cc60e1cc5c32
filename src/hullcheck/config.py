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
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hullcheck.errors import BadInput
from hullcheck.findings import Severity
from hullcheck.references import ImageReference, glob_to_regex, matches_any, normalise_pattern

if TYPE_CHECKING:
    from hullcheck.trust.keyless_policy import KeylessIdentity

CONFIG_NAMES = (".hullcheck.yaml", ".hullcheck.yml")
# A configuration is a screenful; the largest real pyproject.toml files are tens of KB. A file
# above this is refused before it is parsed: a scanned repository's config is a stranger's file.
MAX_CONFIG_BYTES = 1 << 20
# The deepest a valid configuration nests is 5 (trust.notation[0].trust-store[0]); anything far
# deeper is refused before any value is looked at, so nothing later recurses on it.
MAX_CONFIG_DEPTH = 16
# A Notation trust store is a few CA certificates (the whole Mozilla bundle is 220 KB).
MAX_TRUST_STORE_BYTES = 4 << 20


class ConfigError(ValueError, BadInput):
    """A config file that cannot be used (a ValueError too, for callers that parse values)."""


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
    got = _kind(value) if not isinstance(value, list) else "a list with " + next(
        _kind(v) for v in value if not isinstance(v, str))
    raise ConfigError(f"{where}: expected a list of strings, got {got}")


def _kind(value: Any) -> str:
    """What a value is, in the words of the config's formats (for "expected X, got Y")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a date" if hasattr(value, "isoformat") else type(value).__name__


def _name(key: Any) -> str:
    """A key from the file, fit for a one-line message: printable, at most 60 characters."""
    text = key if isinstance(key, str) and key.isprintable() else repr(key)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_shape(data: Any, source: str) -> None:
    """Refuse a document no configuration looks like before reading any value: nesting deeper
    than MAX_CONFIG_DEPTH, or a key that is not a string. Iterative, and each shared value
    (a YAML alias) is visited once, so this costs the document's size."""
    seen: set[int] = set()
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        value, where, depth = stack.pop()
        if not isinstance(value, (dict, list)) or id(value) in seen:
            continue
        seen.add(id(value))
        if depth > MAX_CONFIG_DEPTH:
            raise ConfigError(f"{source}: {where}: nested deeper than {MAX_CONFIG_DEPTH} levels")
        if isinstance(value, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value))
            continue
        for k, v in value.items():
            if not isinstance(k, str):
                raise ConfigError(f"{source}: {where + ': ' if where else ''}setting names are "
                                  f"strings, not {_kind(k)} ({_name(k)})")
            stack.append((v, f"{where}.{_name(k)}" if where else _name(k), depth + 1))


def _mapping(value: Any, where: str, what: str) -> dict[str, Any]:
    """``value`` when it is a mapping, {} when absent (null); otherwise one ConfigError."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must map {what}, not {_kind(value)}")
    return value


def _string(value: Any, where: str, what: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected {what}, got {_kind(value)}")
    return value


def from_mapping(data: Any, source: str, base_dir: Path) -> Config:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level, got {_kind(data)}")
    _check_shape(data, source)
    known = {"fail-on", "select", "ignore", "per-path-ignores", "severity-overrides", "trust"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s): {', '.join(map(_name, unknown))}")
    cfg = Config(source=source, base_dir=base_dir)
    try:
        if "fail-on" in data:
            where = f"{source}: fail-on"
            try:
                cfg.fail_on = parse_fail_on(_string(data["fail-on"], where, "a severity or never"))
            except ConfigError:
                raise
            except ValueError as exc:
                raise ConfigError(f"{where}: {exc}") from None
        cfg.select = _str_list(data.get("select"), f"{source}: select")
        cfg.ignore = _str_list(data.get("ignore"), f"{source}: ignore")
        ppi = _mapping(data.get("per-path-ignores"), f"{source}: per-path-ignores",
                       "globs to rule lists")
        cfg.per_path_ignores = {
            k: _str_list(v, f"{source}: per-path-ignores.{_name(k)}") for k, v in ppi.items()
        }
        sev = _mapping(data.get("severity-overrides"), f"{source}: severity-overrides",
                       "rule ids to severities")
        for k, v in sev.items():
            where = f"{source}: severity-overrides.{_name(k)}"
            try:
                cfg.severity_overrides[k] = Severity.parse(_string(v, where, "a severity"))
            except ConfigError:
                raise
            except ValueError as exc:
                raise ConfigError(f"{where}: {exc}") from None
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
    if not isinstance(data.get("keys") or [], list):
        raise ConfigError(f"{source}: trust.keys must be a list of {{images, key}} entries, not "
                          f"{_kind(data['keys'])}")
    for i, entry in enumerate(data.get("keys") or []):
        if not isinstance(entry, dict) or "key" not in entry:
            raise ConfigError(f"{source}: trust.keys[{i}] needs 'key' (and optional 'images')")
        unknown = sorted(set(entry) - {"images", "key"})
        if unknown:
            raise ConfigError(f"{source}: trust.keys[{i}]: unknown setting(s): "
                              f"{', '.join(map(_name, unknown))}")
        where = f"{source}: trust.keys[{i}]"
        key = Path(os.path.expanduser(_string(entry["key"], f"{where}.key", "a file name")))
        if not key.is_absolute():
            key = base_dir / key
        _check_key(key, f"{where}.key")
        images = _string(entry.get("images", "**"), f"{where}.images", "a reference glob")
        keys.append(TrustKey(images=images, key=key))
    require_digest = data.get("require-digest", False)
    if not isinstance(require_digest, bool):
        raise ConfigError(f"{source}: trust.require-digest: expected true or false, got "
                          f"{_kind(require_digest)}")
    return TrustPolicy(
        allowed=_str_list(data.get("allowed"), f"{source}: trust.allowed"),
        require_digest=require_digest,
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
            raise ConfigError(f"{where}: unknown setting(s): {', '.join(map(_name, unknown))}")
        types = _str_list(entry["predicate-types"], f"{where}.predicate-types")
        if not types:
            raise ConfigError(f"{where}.predicate-types names no predicate type")
        for text in types:
            if not _is_uri(text):
                raise ConfigError(
                    f"{where}.predicate-types: {text!r} is not a predicate type URI (write the"
                    " full type, e.g. https://slsa.dev/provenance/v1, not cosign's short name)")
        images = entry.get("images")
        if images is not None:
            images = _string(images, f"{where}.images", "a reference glob")
        out.append(TrustAttestations(images, types))
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
            raise ConfigError(f"{where}: unknown setting(s): {', '.join(map(_name, unknown))}")
        paths: list[Path] = []
        for text in _str_list(entry["trust-store"], f"{where}.trust-store"):
            path = Path(os.path.expanduser(text))
            path = path if path.is_absolute() else base_dir / path
            _check_trust_store(path, f"{where}.trust-store")
            try:
                load_certificates(path)
            except TrustStoreError as exc:
                raise ConfigError(f"{where}.trust-store: {exc}") from None
            paths.append(path)
        if not paths:
            raise ConfigError(f"{where}.trust-store names no file")
        images = entry.get("images")
        if images is not None:
            _string(images, f"{where}.images", "a reference glob")
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


def _check_trust_store(path: Path, where: str) -> None:
    """A trust store is read whole: refuse what is not a regular file of a sane size first (a
    config from a scanned repository may name ``/dev/zero``)."""
    try:
        st = os.stat(path)
    except OSError:
        return  # load_certificates says what is wrong with it
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(f"{where}: {path}: not a regular file")
    if st.st_size > MAX_TRUST_STORE_BYTES:
        raise ConfigError(f"{where}: {path}: larger than {MAX_TRUST_STORE_BYTES} bytes")


def load_file(path: Path) -> Config:
    """The configuration in ``path``; ConfigError (one line naming the file) for anything else,
    in bounded time and memory: at most MAX_CONFIG_BYTES read, YAML through the bounded loader
    (aliases, merge keys, depth), TOML nesting caught, every value's type checked."""
    text = _read_config(path)
    if path.name == "pyproject.toml":
        import tomllib

        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
        except RecursionError:  # tomllib recurses into nested arrays and inline tables
            raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
        tool = doc.get("tool")
        section = tool.get("hullcheck") if isinstance(tool, dict) else None
        if section is not None and not isinstance(section, dict):
            raise ConfigError(f"{path}: tool.hullcheck must be a table, not {_kind(section)}")
        return _from_file(section, path)
    from hullcheck.yamlutil import YamlError, load_documents

    try:
        docs = load_documents(text)
    except YamlError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if len(docs) > 1:
        raise ConfigError(f"{path}: line {docs[1].line}: expected one YAML document, found more")
    return _from_file(docs[0].data if docs else None, path)


def _from_file(data: Any, path: Path) -> Config:
    try:
        return from_mapping(data, str(path), path.parent)
    except (TypeError, AttributeError, RecursionError, OverflowError) as exc:
        # A shape the checks above did not foresee: still one line, never a traceback.
        raise ConfigError(f"{path}: invalid configuration ({type(exc).__name__})") from None


def _read_config(path: Path) -> str:
    from hullcheck.sources import decode, read_regular

    try:
        return decode(read_regular(path, str(path), MAX_CONFIG_BYTES), str(path))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def discover(start: Path) -> Config:
    """The nearest ``.hullcheck.yaml`` or ``pyproject.toml`` with ``[tool.hullcheck]``, walking up
    from ``start``; defaults when there is none. A ``.hullcheck.yaml`` that is there but cannot
    be used (too large, not a regular file, invalid) is an error, not silently passed over."""
    here = start.resolve()
    for directory in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if os.path.lexists(candidate):
                return load_file(candidate)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            # Too large to tell whether it configures hullcheck: an error (it may, and a
            # policy silently dropped is worse). Unreadable or not UTF-8: other tools' file.
            if pyproject.stat().st_size > MAX_CONFIG_BYTES:
                return load_file(pyproject)
            try:
                has_section = "[tool.hullcheck" in _read_config(pyproject)
            except ConfigError:
                has_section = False
            if has_section:
                return load_file(pyproject)
        if (directory / ".git").exists():
            break
    return Config()
