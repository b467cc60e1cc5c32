from __future__ import annotations

import re
from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.models.shell import SimpleCommand
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import DockerfileRule, judged, run_text

_PREFILTER = re.compile(r"openssh|dropbear|ssh-server")
_SERVER_PACKAGES = frozenset({"openssh-server", "dropbear", "dropbear-bin", "dropbear-run",
                              "openssh-server-pam", "ssh-server"})
_APK_SERVER_PACKAGES = _SERVER_PACKAGES | {"openssh"}  # Alpine's `openssh` pulls in sshd
_VERSION_SPLIT = re.compile(r"[=<>~]")
_RPM_VERSION = re.compile(r"-\d.*$")
_INSTALLERS = {
    "apt-get": ("install",), "apt": ("install",), "aptitude": ("install",),
    "apk": ("add",), "yum": ("install",), "dnf": ("install",), "microdnf": ("install",),
    "tdnf": ("install",), "zypper": ("install", "in"),
}


def _may_install_ssh(text: str) -> bool:
    # ``_PREFILTER.search`` behind an `in` test every match needs: most RUN lines fail it, and
    # it is much cheaper than the regex.
    return ("ssh" in text or "dropbear" in text) and _PREFILTER.search(text) is not None


def installed_packages(cmd: SimpleCommand) -> list[str]:
    verbs = _INSTALLERS.get(cmd.name)
    if verbs is None:
        return []
    args = cmd.args()
    positional = [a for a in args if not a.startswith("-")]
    if not positional or positional[0] not in verbs:
        return []
    return positional[1:]


def ssh_server_package(cmd: SimpleCommand) -> str | None:
    known = _APK_SERVER_PACKAGES if cmd.name == "apk" else _SERVER_PACKAGES
    for package in installed_packages(cmd):
        name = _VERSION_SPLIT.split(package, 1)[0]
        if name in known or _RPM_VERSION.sub("", name) in known:
            return name
    return None


def exposes_22(port: str) -> bool:
    number, _, proto = port.partition("/")
    if proto and proto.lower() != "tcp":
        return False
    low, dash, high = number.partition("-")
    if not low.isdigit() or (dash and not high.isdigit()):
        return False
    return int(low) <= 22 <= int(high if dash else low)


class SshServer(DockerfileRule):
    """
    ## What it finds
    An SSH server installed (`openssh-server` or `dropbear` through apt, apk, yum, dnf, zypper;
    Alpine's `openssh`) or port 22 exposed (`EXPOSE 22`, `22/tcp`, a range that contains it).
    The SSH client (`openssh-client`) is fine. One finding per stage: a stage that installs a
    server and exposes port 22 is reported once, on the install, naming the `EXPOSE` line.

    Medium, context-dependent, and the message says on what: SSH as an administrative way in
    is the concern; an image whose service is SSH (a git server such as Gitea or Gogs, an SFTP
    server) needs it, and then the finding is there to be suppressed with its reason.

    ## Why it matters
    A container is not a VM: an SSH daemon adds a network-facing root service, keys or passwords
    to manage and a way in that bypasses `docker exec`/`kubectl exec` auditing and access
    control.

    ## How to fix
    Remove the SSH server; use `docker exec` or `kubectl exec` (or a debug container) to get a
    shell.

    Before: `RUN apt-get install -y openssh-server && mkdir /run/sshd` and `EXPOSE 22`
    After: no sshd; `docker exec -it <container> sh` when you need a shell

    ## References
    - CIS Docker Benchmark 1.6, 5.7 "Ensure sshd is not run within containers" (checked here at
      build time; not tagged, the check judges running containers)
    """

    id = "DF017"
    name = "ssh-server"
    title = "SSH server in the image"
    severity = Severity.MEDIUM
    fix = "Remove the SSH server and port 22; use `docker exec`/`kubectl exec` instead."

    def check_stage(self, ctx: Context, dockerfile: Dockerfile, stage: Stage
                    ) -> Iterator[Finding]:
        installs: list[tuple[Instruction, str]] = []
        exposes: list[tuple[Instruction, str]] = []
        for instruction in stage.instructions:
            ins = judged(instruction)
            if ins.cmd == "EXPOSE":
                exposes.extend((instruction, port) for port in ins.value if exposes_22(port))
            elif ins.cmd == "RUN" and _may_install_ssh(run_text(ins)) and ins.shell is not None:
                for cmd in ins.shell.commands:
                    package = ssh_server_package(cmd.unwrapped())
                    if package:
                        installs.append((instruction, package))
                        break
        # One problem, one finding: the server a stage installs, with the port it publishes
        # named in the same finding (a git-over-SSH image was reported twice).
        published = ""
        if installs and exposes:
            published = "; " + ", ".join(f"EXPOSE {port} (line {ins.line})"
                                         for ins, port in exposes) + " publishes its port"
        for i, (instruction, package) in enumerate(installs):
            yield self.finding(
                dockerfile.location(instruction.line, instruction.end_line),
                f"RUN installs an SSH server ({package}){published if i == 0 else ''}. "
                + _CONTEXT, evidence=f"install {package}")
        if installs:
            return
        for instruction, port in exposes:
            yield self.finding(
                dockerfile.location(instruction.line, instruction.end_line),
                f"EXPOSE {port} publishes the SSH port. " + _CONTEXT,
                evidence=f"EXPOSE {port}")


# What the finding depends on, said in every message.
_CONTEXT = ("An administrative way in beside docker exec, unless SSH is the service the image "
            "provides (git or SFTP over SSH): then keep it, with keys only.")
