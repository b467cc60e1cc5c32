from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import DockerfileRule, judged, run_text
from hullcheck.rules.dockerfile._writes import FileWrite, copied_heredocs, shell_writes

# A sudoers user specification that needs no password: `app ALL=(ALL) NOPASSWD: ALL`,
# `%wheel ALL=(ALL:ALL) NOPASSWD:ALL`, the whole line. Comment lines (`# ...`) are not rules.
_NOPASSWD_RULE = re.compile(r"^[ \t]*[^#\s][^\n]*\bNOPASSWD[ \t]*:[^\n]*", re.MULTILINE)
# What follows the NOPASSWD tag: more tags (`SETENV:`), then the command list.
_AFTER_TAG = re.compile(r"\bNOPASSWD[ \t]*:((?:[ \t]*[A-Z_]+[ \t]*:)*)(.*)$")
_RUNAS = re.compile(r"=\s*\(([^)]*)\)")
# Commands whose purpose is to run other commands, install code or write any file: granted
# without a password, any of them is `ALL`. (Other commands can often be bent too, `mount` with
# crafted options among them: the message of a limited grant says so.)
_ROOT_EQUIVALENT = frozenset({
    "sh", "bash", "dash", "ash", "zsh", "ksh", "csh", "tcsh", "fish", "su", "sudo", "doas",
    "env", "python", "python2", "python3", "perl", "ruby", "node", "php", "vi", "vim", "nano",
    "ed", "tee", "cp", "mv", "dd", "chmod", "chown", "chroot", "nsenter", "xargs", "find",
    "nice", "timeout", "strace", "gdb", "docker", "apt", "apt-get", "dpkg", "pip", "pip3", "npm",
    "yum", "dnf", "apk",
})


@dataclass(frozen=True, slots=True)
class SudoersGrant:
    """A NOPASSWD sudoers rule and what it grants."""

    rule: str  # the whole line, as written
    commands: tuple[str, ...]  # the command list after the tags (`ALL`, `/usr/bin/mount`...)
    runas: str  # the Runas user (`ALL`, `root`, `postgres`); `root` when not given

    @property
    def as_root(self) -> bool:
        return self.runas.upper() == "ALL" or self.runas in ("root", "0", "#0", "")

    @property
    def any_command(self) -> bool:
        """``ALL``, or a command that gives a root shell or root's files whatever it is asked."""
        return any(c.upper() == "ALL" or
                   c.split()[0].rsplit("/", 1)[-1] in _ROOT_EQUIVALENT for c in self.commands)


def _grant(line: str) -> SudoersGrant:
    after = _AFTER_TAG.search(line)
    commands = tuple(c.strip() for c in (after.group(2) if after else "").split(",")
                     if c.strip())
    runas_m = _RUNAS.search(line)
    runas = runas_m.group(1).split(":", 1)[0].strip() if runas_m else "root"
    return SudoersGrant(line.strip(), commands, runas)


def _sudoers(path: str) -> bool:
    return path == "/etc/sudoers" or path.startswith("/etc/sudoers.d/")


def nopasswd_rules(writes: list[FileWrite]) -> list[SudoersGrant]:
    """The ``NOPASSWD`` rules written into sudoers files, one line each."""
    out: list[SudoersGrant] = []
    for write in writes:
        if _sudoers(write.path):
            out.extend(_grant(m.group(0)) for m in _NOPASSWD_RULE.finditer(write.content))
    return out


class PasswordlessSudo(DockerfileRule):
    """
    ## What it finds
    A sudoers rule that needs no password, written into `/etc/sudoers` or `/etc/sudoers.d/`
    by the build: `echo "app ALL=(ALL) NOPASSWD: ALL" >> /etc/sudoers`, `... | tee
    /etc/sudoers.d/app`, `COPY <<EOF /etc/sudoers.d/app`. The same text printed, written
    elsewhere or commented out is not reported. The message quotes the whole rule.

    High when the rule lets the user run any command as root: `ALL`, or a command whose
    purpose is to run others, install code or write any file (a shell, `su`, `env`, an
    interpreter or editor, `tee`, `cp`, `chmod`, `find`, `xargs`, `docker`, a package
    manager...). Medium for a rule limited to other commands (`mpd ALL=NOPASSWD:
    /usr/bin/mount, /usr/bin/umount`) or run as another user (`app ALL=(postgres) NOPASSWD:
    ALL`): not full root, though some commands can be bent with crafted arguments (`mount`
    among them), so the grant still deserves a look.

    ## Why it matters
    A container that runs as a non-root user only gains something if that user cannot become
    root. With a `NOPASSWD` rule, any code running as the user (an exploited web app, a
    dependency) runs `sudo` and is root in the container, one step from the host; the `USER`
    line (and DF001 passing) gives a false sense of safety.

    ## How to fix
    Do the root work at build time, before `USER`, and leave sudo out of the image. If a tool
    really needs one privileged command at run time, grant that command alone and prefer a
    capability (`cap_add`) or a setuid-free helper.

    Before:
    ```Dockerfile
    RUN apt-get install -y sudo && echo "app ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/app
    USER app
    ```
    After:
    ```Dockerfile
    RUN apt-get install -y --no-install-recommends the-tools-you-need
    USER app
    ```

    ## References
    - CIS Docker Benchmark 1.6, 4.1 (a user for the container) is only worth as much as that
      user's inability to become root
    """

    id = "DF021"
    name = "passwordless-sudo"
    title = "Passwordless sudo granted in the image"
    severity = Severity.HIGH
    fix = "Remove the NOPASSWD sudoers rule (and sudo): do root work before USER."
    instructions = frozenset({"RUN", "COPY", "ADD"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        if ins.cmd == "RUN":
            if "NOPASSWD" not in run_text(ins) and not any(
                    "NOPASSWD" in h.content for h in ins.heredocs):
                return
            rules = nopasswd_rules(shell_writes(ins))
        else:
            if not ins.heredocs:
                return
            rules = nopasswd_rules(copied_heredocs(ins))
        for grant in dict.fromkeys(rules):
            location = dockerfile.location(instruction.line, instruction.end_line)
            if grant.as_root and grant.any_command:
                what = ("any command" if any(c.upper() == "ALL" for c in grant.commands)
                        else "a command that opens a root shell")
                yield self.finding(
                    location,
                    f"the sudoers rule '{grant.rule}' lets the user run {what} as root "
                    "without a password: the user is root.", evidence=grant.rule)
                continue
            who = "root" if grant.as_root else grant.runas
            yield self.finding(
                location,
                f"the sudoers rule '{grant.rule}' lets the user run "
                f"{', '.join(grant.commands) or 'the listed commands'} as {who} without a "
                "password: not every command, but whatever these can be made to do with any "
                "arguments runs as that user (some, such as mount, can open a shell).",
                severity=Severity.MEDIUM, evidence=grant.rule)
