"""Signature material comes from a registry, which is not trusted to send it well-formed: a
verifier that trips over it gives an ``invalid`` verdict, never a traceback."""

from __future__ import annotations

import pytest

from hullcheck.trust import cosign, policy
from hullcheck.trust.registry import RegistryError


def test_a_verifier_that_raises_gives_an_invalid_verdict() -> None:
    def boom(*_args: object) -> cosign.SignatureVerdict:
        raise KeyError("x5c")

    verdict = policy._guarded("classic", boom, b"payload")
    assert verdict.code == cosign.INVALID and not verdict.ok
    assert verdict.message == "the signature could not be judged (KeyError: 'x5c')"
    assert verdict.form == "classic"


def test_registry_errors_still_end_the_verification() -> None:
    def unreachable(*_args: object) -> cosign.SignatureVerdict:
        raise RegistryError("registry.example: connection refused")

    with pytest.raises(RegistryError):
        policy._guarded("bundle", unreachable)


@pytest.mark.parametrize("data", [b"[]", b"not json", b'"a"', b"\xff\xfe"])
def test_a_manifest_that_is_not_an_object_is_refused(data: bytes) -> None:
    assert policy._json_object(data) is None
    assert policy._json_object(b'{"layers": []}') == {"layers": []}
