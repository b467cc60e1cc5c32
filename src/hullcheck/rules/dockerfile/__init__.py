"""Rules of the Dockerfile family (DF)."""

from __future__ import annotations

from hullcheck.rules.base import Rule
from hullcheck.rules.dockerfile.add import AddLocalFiles, AddRemoteUnverified
from hullcheck.rules.dockerfile.base_image_tag import BaseImageLatest, BaseImageUntagged
from hullcheck.rules.dockerfile.healthcheck import NoHealthcheck
from hullcheck.rules.dockerfile.image_trust import BaseImageNotPinned, UntrustedImage
from hullcheck.rules.dockerfile.last_user_root import LastUserRoot
from hullcheck.rules.dockerfile.passwordless_sudo import PasswordlessSudo
from hullcheck.rules.dockerfile.permissions import SetuidBitAdded, WorldWritable
from hullcheck.rules.dockerfile.pipefail import PipeWithoutPipefail
from hullcheck.rules.dockerfile.remote_script import RemoteScriptPipedToShell
from hullcheck.rules.dockerfile.secret_build_arg import SecretThroughBuildArg
from hullcheck.rules.dockerfile.secrets import SecretFileCopied, SecretInEnvOrArg
from hullcheck.rules.dockerfile.ssh_server import SshServer
from hullcheck.rules.dockerfile.sudo import SudoInRun
from hullcheck.rules.dockerfile.update_alone import UpdateAlone
from hullcheck.rules.dockerfile.verification import (
    PackageSignaturesBypassed,
    TlsVerificationDisabled,
)

RULES: list[type[Rule]] = [
    LastUserRoot,
    BaseImageUntagged,
    BaseImageLatest,
    SudoInRun,
    BaseImageNotPinned,
    UntrustedImage,
    AddLocalFiles,
    AddRemoteUnverified,
    UpdateAlone,
    SecretInEnvOrArg,
    SecretFileCopied,
    TlsVerificationDisabled,
    PackageSignaturesBypassed,
    RemoteScriptPipedToShell,
    SetuidBitAdded,
    WorldWritable,
    SshServer,
    NoHealthcheck,
    PipeWithoutPipefail,
    SecretThroughBuildArg,
    PasswordlessSudo,
]
