"""Rules of the image family (``check_image`` over ``hullcheck.models.image.Image``).

``RULES`` is built on first access: a Dockerfile, compose or Kubernetes scan needs only IMG017
and IMG019 (``hullcheck.rules.image.signature`` and ``.attestation``), and importing those
modules must not import the family.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hullcheck.rules.base import Rule

if TYPE_CHECKING:
    RULES: list[type[Rule]]


def __getattr__(name: str) -> list[type[Rule]]:
    if name != "RULES":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from hullcheck.rules.image.attestation import Attestation
    from hullcheck.rules.image.content_trust import ContentTrust
    from hullcheck.rules.image.curl_pipe_shell import CurlPipeShell
    from hullcheck.rules.image.device_file import DeviceFile
    from hullcheck.rules.image.digest_not_pinned import DigestNotPinned
    from hullcheck.rules.image.env_secret import EnvSecret
    from hullcheck.rules.image.history_add import HistoryAdd
    from hullcheck.rules.image.latest_tag import LatestTag
    from hullcheck.rules.image.no_healthcheck import NoHealthcheck
    from hullcheck.rules.image.package_cache import PackageCache
    from hullcheck.rules.image.root_user import RootUser
    from hullcheck.rules.image.secret_file import SecretFile
    from hullcheck.rules.image.setuid import Setuid
    from hullcheck.rules.image.signature import Signature
    from hullcheck.rules.image.ssh_port import SshPort
    from hullcheck.rules.image.ssh_server import SshServer
    from hullcheck.rules.image.untrusted_source import UntrustedSource
    from hullcheck.rules.image.update_alone import UpdateAlone
    from hullcheck.rules.image.world_writable import WorldWritable

    rules: list[type[Rule]] = [
        RootUser,
        NoHealthcheck,
        EnvSecret,
        HistoryAdd,
        UpdateAlone,
        CurlPipeShell,
        SshPort,
        LatestTag,
        WorldWritable,
        Setuid,
        SecretFile,
        SshServer,
        PackageCache,
        DeviceFile,
        UntrustedSource,
        DigestNotPinned,
        Signature,
        ContentTrust,
        Attestation,
    ]
    globals()["RULES"] = rules
    return rules
