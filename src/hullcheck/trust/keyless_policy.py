"""Who may sign keyless: certificate identities and OIDC issuers, from the config
(``trust.keyless``) or the command line (``--certificate-identity`` and friends).

Light on purpose (``re`` only): the config and the CLI build these before anything is verified.

Semantics are cosign's (``cosign verify --certificate-identity[-regexp]
--certificate-oidc-issuer[-regexp]``): one identity (exact, or a regular expression) and one
issuer (exact, or a regular expression) per entry, both required. A regular expression is
*searched* like Go's ``regexp.MatchString``, i.e. unanchored: ``acme`` matches any identity
containing ``acme``; anchor it (``^https://github\\.com/acme/``) to mean a prefix. The identity is
compared with every subject alternative name of the Fulcio certificate (URI, email, Sigstore's
username other-name); the issuer with the certificate's OIDC issuer extension
(1.3.6.1.4.1.57264.1.8, or the deprecated 1.3.6.1.4.1.57264.1.1 when the first is absent).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

CLI_FLAGS = (
    "--certificate-identity",
    "--certificate-identity-regexp",
    "--certificate-oidc-issuer",
    "--certificate-oidc-issuer-regexp",
)
_KEYS = {"images", "identity", "identity-regexp", "issuer", "issuer-regexp"}


class IdentityError(ValueError):
    """A keyless identity policy that cannot be used (one line, exit 2)."""


@dataclass(frozen=True)
class KeylessIdentity:
    identity: str | None = None
    identity_regexp: str | None = None
    issuer: str | None = None
    issuer_regexp: str | None = None
    images: str | None = None  # glob over normalised references; None: every image

    def identity_matches(self, names: Iterable[str]) -> bool:
        if self.identity is not None:
            return self.identity in names
        pattern = re.compile(self.identity_regexp or "")
        return any(pattern.search(n) for n in names)

    def issuer_matches(self, issuer: str | None) -> bool:
        if issuer is None:
            return False
        if self.issuer is not None:
            return issuer == self.issuer
        return re.search(self.issuer_regexp or "", issuer) is not None

    def describe(self) -> str:
        who = (f"identity {self.identity}" if self.identity is not None
               else f"identity matching /{self.identity_regexp}/")
        by = (f"issuer {self.issuer}" if self.issuer is not None
              else f"issuer matching /{self.issuer_regexp}/")
        return f"{who} from {by}"


def _compile(text: str, where: str) -> str:
    try:
        re.compile(text)
    except re.error as exc:
        raise IdentityError(f"{where}: invalid regular expression {text!r}: {exc}") from None
    return text


def make_identity(
    where: str,
    *,
    identity: Any = None,
    identity_regexp: Any = None,
    issuer: Any = None,
    issuer_regexp: Any = None,
    images: Any = None,
    names: Sequence[str] = ("identity", "identity-regexp", "issuer", "issuer-regexp"),
) -> KeylessIdentity:
    """One entry, checked: exactly one identity form and one issuer form, regexps compiled."""
    n_id, n_id_re, n_iss, n_iss_re = names
    for name, value in ((n_id, identity), (n_id_re, identity_regexp), (n_iss, issuer),
                        (n_iss_re, issuer_regexp)):
        if value is not None and (not isinstance(value, str) or not value):
            raise IdentityError(f"{where}: {name} must be a non-empty string")
    if (identity is None) == (identity_regexp is None):
        raise IdentityError(f"{where}: give exactly one of {n_id} or {n_id_re}")
    if (issuer is None) == (issuer_regexp is None):
        raise IdentityError(f"{where}: give exactly one of {n_iss} or {n_iss_re}")
    if identity_regexp is not None:
        _compile(identity_regexp, f"{where}: {n_id_re}")
    if issuer_regexp is not None:
        _compile(issuer_regexp, f"{where}: {n_iss_re}")
    if images is not None and not isinstance(images, str):
        raise IdentityError(f"{where}: images must be a string (a reference glob)")
    return KeylessIdentity(identity, identity_regexp, issuer, issuer_regexp, images)


def parse_config(data: Any, source: str) -> list[KeylessIdentity]:
    """``trust.keyless``: a list of ``{images, identity | identity-regexp,
    issuer | issuer-regexp}``."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise IdentityError(f"{source}: trust.keyless must be a list of {{images, identity,"
                            " issuer}} entries")
    out: list[KeylessIdentity] = []
    for i, entry in enumerate(data):
        where = f"{source}: trust.keyless[{i}]"
        if not isinstance(entry, dict):
            raise IdentityError(f"{where}: expected a mapping with identity and issuer")
        unknown = sorted(set(map(str, entry)) - _KEYS)
        if unknown:
            raise IdentityError(f"{where}: unknown setting(s): {', '.join(unknown)}")
        out.append(make_identity(
            where,
            identity=entry.get("identity"),
            identity_regexp=entry.get("identity-regexp"),
            issuer=entry.get("issuer"),
            issuer_regexp=entry.get("issuer-regexp"),
            images=entry.get("images"),
        ))
    return out


def regexp_argument(text: str) -> str:
    """argparse ``type=`` for the ``-regexp`` flags: a bad expression is a usage error."""
    try:
        re.compile(text)
    except re.error as exc:
        raise argparse.ArgumentTypeError(f"invalid regular expression {text!r}: {exc}") from None
    return text


def from_options(options: Any) -> list[KeylessIdentity]:
    """The identity the command line names (at most one, as with cosign), else none.

    ``options``: the argparse namespace or the options mapping built from it."""
    get = options.get if isinstance(options, dict) else (lambda k: getattr(options, k, None))
    values = {k: get(k) for k in ("certificate_identity", "certificate_identity_regexp",
                                  "certificate_oidc_issuer", "certificate_oidc_issuer_regexp")}
    if all(v is None for v in values.values()):
        return []
    return [make_identity(
        "keyless flags",
        identity=values["certificate_identity"],
        identity_regexp=values["certificate_identity_regexp"],
        issuer=values["certificate_oidc_issuer"],
        issuer_regexp=values["certificate_oidc_issuer_regexp"],
        names=CLI_FLAGS,
    )]
