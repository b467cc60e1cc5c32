"""Rules of the Dockerfile family (DF): one rule per module, helpers they share in ``_*.py``."""

from __future__ import annotations

from hullcheck.rules.base import Rule
from hullcheck.rules.dockerfile.add_instead_of_copy import AddLocalFiles
from hullcheck.rules.dockerfile.add_remote_unverified import AddRemoteUnverified
from hullcheck.rules.dockerfile.base_image_latest import BaseImageLatest
from hullcheck.rules.dockerfile.base_image_untagged import BaseImageUntagged
from hullcheck.rules.dockerfile.chown_to_runtime_user import ChownToRuntimeUser
from hullcheck.rules.dockerfile.healthcheck import NoHealthcheck
from hullcheck.rules.dockerfile.image_not_pinned import BaseImageNotPinned
from hullcheck.rules.dockerfile.last_user_root import LastUserRoot
from hullcheck.rules.dockerfile.package_signatures_bypassed import PackageSignaturesBypassed
from hullcheck.rules.dockerfile.passwordless_sudo import PasswordlessSudo
from hullcheck.rules.dockerfile.pipefail import PipeWithoutPipefail
from hullcheck.rules.dockerfile.plain_http_download import PlainHttpDownload
from hullcheck.rules.dockerfile.remote_script import RemoteScriptPipedToShell
from hullcheck.rules.dockerfile.secret_build_arg import SecretThroughBuildArg
from hullcheck.rules.dockerfile.secret_file_copied import SecretFileCopied
from hullcheck.rules.dockerfile.secret_in_dockerfile import SecretInEnvOrArg
from hullcheck.rules.dockerfile.setuid_bit_added import SetuidBitAdded
from hullcheck.rules.dockerfile.ssh_server import SshServer
from hullcheck.rules.dockerfile.sudo import SudoInRun
from hullcheck.rules.dockerfile.tls_verification_disabled import TlsVerificationDisabled
from hullcheck.rules.dockerfile.untrusted_image import UntrustedImage
from hullcheck.rules.dockerfile.update_alone import UpdateAlone
from hullcheck.rules.dockerfile.world_writable import WorldWritable

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
    ChownToRuntimeUser,
    PlainHttpDownload,
]
