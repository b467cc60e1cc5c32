"""Notation COSE_Sign1 envelopes (``application/cose``), as the Notary Project's
signature-envelope-cose specification defines them, decoded with ``cbor2``:

- a ``COSE_Sign1_Tagged`` item (CBOR tag 18) and nothing after it: ``[protected: bstr,
  unprotected: map, payload: bstr, signature: bstr]``;
- protected header: ``alg`` (label 1: -37/-38/-39 PS256/384/512, -7/-35/-36 ES256/384/512,
  matching the signing key), ``crit`` (label 2: ``io.cncf.notary.signingScheme``, plus
  ``io.cncf.notary.authenticSigningTime`` and ``io.cncf.notary.expiry`` when present; never an
  integer label 0-8), ``content type`` (label 3: ``application/vnd.cncf.notary.payload.v1+json``),
  the signing scheme, and the signing, authentic signing and expiry times as epoch-based
  date-times (CBOR tag 1, as notation-core-go requires);
- unprotected header: ``x5chain`` (label 33, DER certificates, leaf first; the specification
  also allows it protected), ``io.cncf.notary.signingAgent``,
  ``io.cncf.notary.timestampSignature``; no label in both headers (RFC 9052 3);
- the signature over ``Sig_structure = ["Signature1", protected, h'', payload]``; ES signatures
  are R || S.

The rest (chain, trust store, identities, expiry, validity, digest) is the JWS path's
:func:`hullcheck.trust.notation.judge`. Hostile CBOR is bounded: the blob size, nesting depth
(8), certificate count, no duplicate map keys, no unhashable keys; any decoding failure is one
``invalid-envelope`` verdict.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hullcheck.trust.cosign import SignatureVerdict
from hullcheck.trust.notation import (
    INVALID_ENVELOPE,
    PAYLOAD_TYPE,
    TIMESTAMP,
    EnvelopeError,
    Signed,
    check_alg,
    check_protected,
    judge,
)
from hullcheck.trust.notation_certs import parse_der_chain

if TYPE_CHECKING:
    from hullcheck.trust.notation import TrustStores

FORM = "notation COSE"
SIGN1_TAG = 18
EPOCH_TAG = 1
X5CHAIN = 33
MAX_BLOB = 1 << 20  # the registry reader's limit on an envelope blob, applied here too
MAX_DEPTH = 8  # COSE_Sign1 nests four deep at most (tag, array, map, x5chain array)

# COSE algorithm identifiers -> the Notary Project's names (signature-envelope-cose.md)
ALGORITHMS = {-37: "PS256", -38: "PS384", -39: "PS512", -7: "ES256", -35: "ES384", -36: "ES512"}
# labels the JWS-shaped view of the protected header renames; 0-8 are COSE's own (RFC 9052 3.1)
_RENAMED = {1: "alg", 2: "crit", 3: "cty"}
_COMMON_LABELS = range(0, 9)


@dataclass(frozen=True)
class _Tagged:
    """A date-time as it was tagged (0: RFC 3339 string, 1: epoch), kept to check the tag."""

    tag: int
    value: Any


def _tagged(tag: int) -> Any:
    return lambda value, _immutable: _Tagged(tag, value)


def _refused(tag: int) -> Any:
    """Bignums (tags 2, 3) have no place in a Notation envelope, and as map keys they could be
    chosen to collide in a dict: refused outright."""

    def refuse(_value: Any, _immutable: bool) -> Any:
        raise ValueError(f"CBOR tag {tag} (bignum) is not allowed")

    return refuse


def _as_list(value: Any) -> Any:
    """cbor2 decodes arrays inside a tag as tuples: the same array to us."""
    return list(value) if isinstance(value, tuple) else value


def _decode(data: bytes, what: str) -> Any:
    """One CBOR item and nothing after it; EnvelopeError for anything else."""
    import cbor2

    stream = io.BytesIO(data)
    try:
        decoder = cbor2.CBORDecoder(
            stream,
            semantic_decoders={0: _tagged(0), EPOCH_TAG: _tagged(EPOCH_TAG),
                               2: _refused(2), 3: _refused(3)},
            max_depth=MAX_DEPTH,
            allow_duplicate_keys=False,
        )
        item = decoder.decode()
    except RecursionError:
        raise EnvelopeError(f"{what} nests too deeply") from None
    except MemoryError:
        raise EnvelopeError(f"{what} asks for more memory than it holds") from None
    except Exception as exc:  # cbor2.CBORError, and ValueError/TypeError/OverflowError inside
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise EnvelopeError(f"{what} is not valid CBOR ({reason[:200]})") from None
    if stream.tell() != len(data):
        raise EnvelopeError(f"{what} has {len(data) - stream.tell()} byte(s) after its CBOR item")
    return item


def read_epoch_time(value: Any, name: str) -> dt.datetime:
    """An epoch-based date/time (RFC 8949 3.4.2, tag 1), as the specification requires."""
    if isinstance(value, _Tagged) and value.tag == EPOCH_TAG:
        seconds = value.value
        if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and (
            isinstance(seconds, int) or math.isfinite(seconds)
        ):
            try:
                return dt.datetime.fromtimestamp(seconds, dt.UTC)
            except (OverflowError, ValueError, OSError):
                raise EnvelopeError(f"{name} is out of range: {seconds!r}") from None
        raise EnvelopeError(f"{name} is tagged as an epoch time but holds {seconds!r}")
    if isinstance(value, _Tagged):
        raise EnvelopeError(f"{name} is a tag {value.tag} date/time; the specification requires"
                            " an epoch-based date/time (CBOR tag 1)")
    raise EnvelopeError(f"{name} is not an epoch-based date/time (CBOR tag 1): {value!r}"[:300])


@dataclass(frozen=True)
class CoseEnvelope:
    protected_raw: bytes
    protected: dict[Any, Any]  # as the CBOR map has it (integer and text labels)
    unprotected: dict[Any, Any]
    payload: bytes
    signature: bytes

    @property
    def sig_structure(self) -> bytes:
        """``ToBeSigned``: the CBOR encoding of the Sig_structure for COSE_Sign1."""
        import cbor2

        return bytes(cbor2.dumps(["Signature1", self.protected_raw, b"", self.payload]))


def parse_cose(blob: bytes) -> CoseEnvelope:
    if len(blob) > MAX_BLOB:
        raise EnvelopeError(f"the COSE envelope is {len(blob)} bytes (at most {MAX_BLOB} read)")
    item = _decode(blob, "the COSE envelope")
    import cbor2

    if not isinstance(item, cbor2.CBORTag) or item.tag != SIGN1_TAG:
        got = f"tag {item.tag}" if isinstance(item, cbor2.CBORTag) else type(item).__name__
        raise EnvelopeError(f"not a COSE_Sign1_Tagged item (CBOR tag {SIGN1_TAG}; got {got})")
    parts = _as_list(item.value)
    if not isinstance(parts, list) or len(parts) != 4:
        raise EnvelopeError("COSE_Sign1 must be an array of 4: protected, unprotected, payload,"
                            " signature")
    protected_raw, unprotected, payload, signature = parts
    if not isinstance(protected_raw, bytes):
        raise EnvelopeError("the protected header is not a byte string")
    if not isinstance(unprotected, Mapping):
        raise EnvelopeError("the unprotected header is not a map")
    if payload is None:
        raise EnvelopeError("the payload is detached (nil); Notation embeds it")
    if not isinstance(payload, bytes):
        raise EnvelopeError("the payload is not a byte string")
    if not isinstance(signature, bytes) or not signature:
        raise EnvelopeError("the signature is missing or not a byte string")
    protected = _decode(protected_raw, "the protected header") if protected_raw else {}
    if not isinstance(protected, Mapping):
        raise EnvelopeError("the protected header is not a CBOR map")
    both = sorted(map(repr, set(protected) & set(unprotected)))
    if both:
        raise EnvelopeError(f"label(s) {', '.join(both)} both protected and unprotected")
    return CoseEnvelope(protected_raw, dict(protected), dict(unprotected), payload, signature)


def _jws_view(protected: dict[Any, Any]) -> dict[Any, Any]:
    """The protected header under the JWS names ``check_protected`` reads."""
    view: dict[Any, Any] = {}
    for label, value in protected.items():
        if isinstance(label, str) and label in _RENAMED.values():
            raise EnvelopeError(f"text label {label!r} in the protected header (COSE names it"
                                " with an integer label)")
        view[_RENAMED.get(label, label)] = value
    if "alg" in view:
        alg = view["alg"]
        view["alg"] = ALGORITHMS.get(alg, f"{alg!r} (COSE)") if isinstance(alg, int) else repr(alg)
    if "crit" in view:
        view["crit"] = _as_list(view["crit"])
    if isinstance(view.get("crit"), list):
        view["crit"] = [_RENAMED.get(c, c) if isinstance(c, int) else c for c in view["crit"]]
    return view


def _registered(name: Any) -> bool:
    return name in _RENAMED.values() or (
        isinstance(name, int) and not isinstance(name, bool) and name in _COMMON_LABELS
    )


class _Registered:
    """``crit`` must not list integer labels 0-8 (signature-envelope-cose.md)."""

    def __contains__(self, name: object) -> bool:
        return _registered(name)


def verify_cose(
    blob: bytes, store: TrustStores, image_digest: str, now: dt.datetime | None = None
) -> SignatureVerdict:
    """One COSE_Sign1 envelope judged against the trust store(s), as the JWS one is."""
    try:
        envelope = parse_cose(blob)
        view = _jws_view(envelope.protected)
        if view.get("cty") != PAYLOAD_TYPE:
            raise EnvelopeError(f"unsupported content type {view.get('cty')!r} (label 3;"
                                f" expected {PAYLOAD_TYPE})")
        attrs = check_protected(view, read_epoch_time, _Registered())
        chain_item = envelope.unprotected.get(X5CHAIN, envelope.protected.get(X5CHAIN))
        try:
            chain = parse_der_chain(_as_list(chain_item))
        except ValueError as exc:
            raise EnvelopeError(str(exc)) from None
        alg = check_alg(view["alg"], chain[0])
    except EnvelopeError as exc:
        return SignatureVerdict(INVALID_ENVELOPE, f"invalid Notation COSE envelope: {exc}", FORM)
    return judge(
        Signed(chain, attrs, alg, envelope.signature, envelope.sig_structure, envelope.payload,
               TIMESTAMP in envelope.unprotected),
        store, image_digest, now, FORM,
    )
