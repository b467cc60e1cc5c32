"""Trusted identities for Notation signatures: the trust policy's ``trustedIdentities``.

The Notary Project trust-store and trust-policy specification (*Trusted Identities Constraints*)
names signers by the subject of their signing certificate::

    x509.subject: C=US, ST=WA, L=Seattle, O=acme-rockets.io, OU=Finance, CN=SecureBuilder

or ``*`` for any signer whose chain leads to the trust store. An identity lists comma-separated
RDNs (``TYPE=value``) and must name at least C, ST and O; each attribute type at most once; no
multi-valued RDNs (``+``). In values, ``\\,`` ``\\;`` ``\\\\`` ``\\+`` and a leading or trailing
``\\ `` are escapes (and RFC 4514 ``\\XX`` hex pairs). The signing certificate matches an identity
when its subject has every listed attribute with the same value (other attributes are free), as
notation-go's ``IsSubsetDN`` decides. A list is invalid when ``*`` is not alone or when two
identities overlap (one is a subset of the other: some certificate would match both), which
includes duplicates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

PREFIX = "x509.subject:"
WILDCARD = "*"
MANDATORY = ("C", "ST", "O")

# attribute short names -> dotted OIDs, as RFC 4514 and Go's pkix.Name.String() name them
_NAMES = {
    "C": "2.5.4.6",
    "ST": "2.5.4.8",
    "S": "2.5.4.8",
    "L": "2.5.4.7",
    "O": "2.5.4.10",
    "OU": "2.5.4.11",
    "CN": "2.5.4.3",
    "STREET": "2.5.4.9",
    "POSTALCODE": "2.5.4.17",
    "SERIALNUMBER": "2.5.4.5",
    "DC": "0.9.2342.19200300.100.1.25",
    "UID": "0.9.2342.19200300.100.1.1",
    "EMAILADDRESS": "1.2.840.113549.1.9.1",
}
_SHORT = {oid: name for name, oid in _NAMES.items() if name != "S"}
_OID = re.compile(r"^\d+(\.\d+)+$")
_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")

Identity = tuple[tuple[str, str], ...]  # sorted (attribute short name or OID, value) pairs


class IdentityError(ValueError):
    """A trusted identity that does not follow the specification: one line, quoting it."""


def _split(text: str, seps: str) -> list[str]:
    """Split on unescaped separators, keeping escapes for the next step."""
    parts, current, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if ch in seps:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def _strip(text: str) -> str:
    """Strip spaces around, keeping an escaped trailing space (``\\ ``)."""
    text = text.lstrip(" \t")
    kept = text.rstrip(" \t")
    backslashes = len(kept) - len(kept.rstrip("\\"))
    if len(kept) < len(text) and backslashes % 2 == 1:
        return kept + " "
    return kept


def _unescape(value: str, where: str) -> str:
    out: list[str] = []
    raw = _strip(value)
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        if i + 1 >= len(raw):
            raise IdentityError(f"{where}: a value ends with a lone backslash")
        nxt = raw[i + 1]
        if re.fullmatch(r"[0-9A-Fa-f]{2}", raw[i + 1 : i + 3]):
            out.append(chr(int(raw[i + 1 : i + 3], 16)))
            i += 3
            continue
        if nxt not in ' ,;+"\\<>=#':
            raise IdentityError(f"{where}: unknown escape '\\{nxt}'")
        out.append(nxt)
        i += 2
    return "".join(out)


def _attribute_type(text: str, where: str) -> str:
    name = text.strip()
    if _OID.match(name):
        return _SHORT.get(name, name)
    if not _TYPE.match(name):
        raise IdentityError(f"{where}: {name!r} is not an attribute type (C, ST, O, OU, CN, ...)")
    upper = name.upper()
    if upper not in _NAMES:
        raise IdentityError(f"{where}: unknown attribute type {name!r} (use C, ST, L, O, OU, CN,"
                            " or a dotted OID)")
    return "ST" if upper == "S" else upper


def parse_identity(text: str) -> Identity | None:
    """One ``trustedIdentities`` item: None for ``*``, else its attributes. IdentityError when
    malformed."""
    if not isinstance(text, str):
        raise IdentityError(f"trusted identity {text!r} is not a string")
    stripped = _strip(text)
    if stripped == WILDCARD:
        return None
    if not stripped.startswith(PREFIX):
        raise IdentityError(f"trusted identity {text!r} must be '*' or start with '{PREFIX}'")
    where = f"trusted identity {text!r}"
    dn = _strip(stripped[len(PREFIX) :])
    if not dn:
        raise IdentityError(f"{where}: no RDN after '{PREFIX}'")
    attrs: dict[str, str] = {}
    for rdn in _split(dn, ",;"):
        if len(_split(rdn, "+")) > 1:
            raise IdentityError(f"{where}: multi-valued RDN {rdn.strip()!r} is not supported")
        kind, sep, value = rdn.partition("=")
        if not sep:
            raise IdentityError(f"{where}: RDN {rdn.strip()!r} is not TYPE=value")
        name = _attribute_type(kind, where)
        val = _unescape(value, where)
        if not val:
            raise IdentityError(f"{where}: {name} has an empty value")
        if name in attrs:
            raise IdentityError(f"{where}: {name} appears more than once")
        attrs[name] = val
    missing = [m for m in MANDATORY if m not in attrs]
    if missing:
        raise IdentityError(f"{where}: must name {', '.join(missing)} (C, ST and O at a minimum)")
    return tuple(sorted(attrs.items()))


def _subset(a: Identity, b: Identity) -> bool:
    return set(a) <= set(b)


def parse_identities(items: Iterable[str]) -> tuple[Identity, ...] | None:
    """A ``trustedIdentities`` list: None when any signer is trusted (``*`` or nothing listed)."""
    texts = list(items)
    if not texts:
        return None
    parsed = [parse_identity(t) for t in texts]
    if any(p is None for p in parsed):
        if len(parsed) > 1:
            raise IdentityError("'*' (any identity) must be the only trusted identity")
        return None
    identities = [p for p in parsed if p is not None]
    for i, a in enumerate(identities):
        for j, b in enumerate(identities):
            if i < j and (_subset(a, b) or _subset(b, a)):
                raise IdentityError(
                    f"trusted identities {texts[i]!r} and {texts[j]!r} overlap (a certificate"
                    " could match both); the specification forbids it"
                )
    return tuple(identities)


def render(identity: Identity) -> str:
    return PREFIX + " " + ", ".join(f"{k}={v}" for k, v in identity)


def subject_attributes(cert: Any) -> dict[str, list[str]]:
    """The signing certificate's subject: attribute short name (or dotted OID) -> values."""
    out: dict[str, list[str]] = {}
    for rdn in cert.subject.rdns:
        for attr in rdn:
            name = _SHORT.get(attr.oid.dotted_string, attr.oid.dotted_string)
            value = attr.value if isinstance(attr.value, str) else attr.value.hex()
            out.setdefault(name, []).append(value)
    return out


def matches(identities: Sequence[Identity] | None, cert: Any) -> bool:
    """Whether the signing certificate is one of the trusted identities. A subject naming an
    attribute type twice (or multi-valued RDNs) matches only ``*``: notation-go refuses to parse
    such a subject, and which value would count is ambiguous."""
    if identities is None:
        return True
    try:
        subject = subject_attributes(cert)
        multi = any(len(r) > 1 for r in cert.subject.rdns)
    except ValueError:
        return False
    if multi or any(len(v) > 1 for v in subject.values()):
        return False
    flat = {k: v[0] for k, v in subject.items()}
    return any(all(flat.get(k) == v for k, v in identity) for identity in identities)


def identity_arg(text: str) -> str:
    """argparse ``type=`` for ``--notation-identity``: a well-formed identity, else exit 2."""
    import argparse

    try:
        parse_identity(text)
    except IdentityError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text
