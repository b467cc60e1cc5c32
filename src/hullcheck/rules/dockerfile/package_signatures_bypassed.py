"""Package signature checks turned off (DF013)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.models.shell import SimpleCommand
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import RPM_FAMILY, DockerfileRule, Keywords, judged, run_text
from hullcheck.rules.dockerfile._writes import FileWrite, copied_heredocs, shell_writes

_SIG_PREFILTER = Keywords(("unauthenticated", "untrusted", "gpg", "nosignature", "nodigest",
                           "nosig", "force-yes", "insecure-repositories", "insecurerepositories",
                           "trusted"))
_GPGCHECK_OFF = re.compile(r"\b(repo_)?gpgcheck\s*=\s*(0|false|no)\b", re.IGNORECASE)
# apt options that let unsigned or unverifiable repositories and packages through, with the
# values apt reads as true.
_APT_BYPASS_OPTIONS = ("APT::Get::AllowUnauthenticated", "Acquire::AllowInsecureRepositories",
                       "Acquire::AllowDowngradeToInsecureRepositories")
_APT_TRUE = frozenset({"true", "yes", "1", "on", "enable", "with"})
_APT_CONF_SETTING = re.compile(
    r"(?<![\w:])(" + "|".join(map(re.escape, _APT_BYPASS_OPTIONS)) + r")\s*(?:=\s*|\s+)"
    r"\"?([\w-]+)\"?", re.IGNORECASE)
_APT_CONF_COMMENT = re.compile(r"//.*$|^\s*#.*$", re.MULTILINE)
_APT_TRUSTED = re.compile(r"^\s*deb(?:-src)?\s+\[[^\]]*\btrusted\s*=\s*yes\b[^\]]*\]",
                          re.IGNORECASE | re.MULTILINE)
_DEB822_TRUSTED = re.compile(r"^\s*Trusted\s*:\s*yes\s*$", re.IGNORECASE | re.MULTILINE)
_APT = frozenset({"apt-get", "apt", "aptitude"})
_ADD_REPOSITORY = frozenset({"add-apt-repository", "apt-add-repository"})


def _apt_options_on(text: str) -> list[str]:
    """apt bypass options set true in apt.conf text (``Name "true";``) or ``Name=value``."""
    text = _APT_CONF_COMMENT.sub("", text)
    return [canonical for m in _APT_CONF_SETTING.finditer(text)
            if m.group(2).lower() in _APT_TRUE
            for canonical in _APT_BYPASS_OPTIONS if canonical.lower() == m.group(1).lower()]


def _apt_config_file(path: str) -> bool:
    return path == "/etc/apt/apt.conf" or path.startswith("/etc/apt/apt.conf.d/")


def _apt_sources_file(path: str) -> bool:
    return path == "/etc/apt/sources.list" or (
        path.startswith("/etc/apt/sources.list.d/") and path.endswith((".list", ".sources")))


def written_bypasses(writes: list[FileWrite]) -> list[str]:
    """Signature checks turned off by what is written into apt's configuration or sources."""
    out: list[str] = []
    for write in writes:
        if _apt_config_file(write.path):
            out.extend(f"{name} true in {write.path}" for name in _apt_options_on(write.content))
        elif _apt_sources_file(write.path) and (
                _APT_TRUSTED.search(write.content) or
                (write.path.endswith(".sources") and _DEB822_TRUSTED.search(write.content)) or
                (write.how == "sed" and "trusted=yes" in write.content.replace(" ", ""))):
            out.append(f"apt source [trusted=yes] in {write.path}")
    return out


def _apt_command_options(cmd: SimpleCommand) -> list[str]:
    """``apt-get -o Name=value`` (also ``-oName=value``, ``--option Name=value``)."""
    values: list[str] = []
    words = cmd.args()
    for i, word in enumerate(words):
        if word in ("-o", "--option") and i + 1 < len(words):
            values.append(words[i + 1])
        elif word.startswith("--option="):
            values.append(word.partition("=")[2])
        elif word.startswith("-o") and len(word) > 2 and not word.startswith("--"):
            values.append(word[2:])
    return [f"{cmd.name} -o {name}=true" for value in values for name in _apt_options_on(value)]


def signature_bypasses(cmd: SimpleCommand) -> list[str]:
    name = cmd.name
    out: list[str] = []
    if name in _APT:
        for flag in ("--allow-unauthenticated", "--allow-insecure-repositories", "--force-yes"):
            if cmd.has_option(flag):
                out.append(f"{name} {flag}")
        out.extend(_apt_command_options(cmd))
    elif name in _ADD_REPOSITORY and any(_APT_TRUSTED.search(a) for a in cmd.args()):
        out.append(f"{name} [trusted=yes]")
    elif name == "apk" and cmd.has_option("--allow-untrusted"):
        out.append("apk --allow-untrusted")
    elif name in RPM_FAMILY and cmd.has_option("--nogpgcheck"):
        out.append(f"{name} --nogpgcheck")
    elif name == "zypper" and cmd.has_option("--no-gpg-checks", "--no-gpg-check"):
        out.append("zypper --no-gpg-checks")
    elif name == "rpm":
        for flag in ("--nosignature", "--nodigest", "--nosig"):
            if cmd.has_option(flag):
                out.append(f"rpm {flag}")
    return out


class PackageSignaturesBypassed(DockerfileRule):
    """
    ## What it finds
    Package installs that skip signature checks: `apt-get --allow-unauthenticated`
    (or `--allow-insecure-repositories`, `--force-yes`,
    `-o APT::Get::AllowUnauthenticated=true`), `apk --allow-untrusted`,
    `yum`/`dnf`/`microdnf --nogpgcheck` (or `gpgcheck=0` written into a repo file or passed with
    `--setopt`), `zypper --no-gpg-checks`, `rpm --nosignature`/`--nodigest`.

    And apt configured to skip them by what an instruction writes into apt's files:
    `APT::Get::AllowUnauthenticated`, `Acquire::AllowInsecureRepositories` or
    `Acquire::AllowDowngradeToInsecureRepositories` set true in `/etc/apt/apt.conf` or
    `/etc/apt/apt.conf.d/*`, and a `deb [trusted=yes] ...` line (or `Trusted: yes` in a
    `.sources` file) in `/etc/apt/sources.list` or `/etc/apt/sources.list.d/`. The writers seen
    are `echo`/`printf`/`cat <<EOF` redirected (`>`, `>>`) or piped into `tee`, `sed -i` (what
    its `s` replacements and `a`/`i`/`c` commands put in), `COPY <<EOF` / `ADD <<EOF`, and
    `add-apt-repository 'deb [trusted=yes] ...'`. The same text printed to standard output or
    written anywhere else, or an option set `"false"`, is not reported. A destination held in a
    variable (`> $CONF`) is not followed.

    ## Why it matters
    Signatures are what proves a package comes from the distribution and not from whoever answered
    the download: with them off, a mirror or network attacker chooses what gets installed. CIS
    Docker Benchmark 4.11.

    ## How to fix
    Import the repository's signing key and keep checks on.

    Before: `RUN apk add --allow-untrusted ./mytool.apk`
    After:
    ```Dockerfile
    COPY mytool.rsa.pub /etc/apk/keys/
    RUN apk add ./mytool.apk
    ```

    ## References
    - CIS Docker Benchmark 1.6, 4.11 "Ensure only verified packages are installed"
    """

    id = "DF013"
    name = "package-signatures-bypassed"
    title = "Package signature checks turned off"
    severity = Severity.HIGH
    references = ("cis-docker-1.6:4.11",)
    fix = "Import the repository key and keep signature checks on."
    instructions = frozenset({"RUN", "COPY", "ADD"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        text = run_text(ins)
        if not _SIG_PREFILTER.search(text):
            return
        found: list[str] = []
        if ins.cmd == "RUN":
            if ins.shell is None:
                return
            for cmd in ins.shell.commands:
                found.extend(signature_bypasses(cmd.unwrapped()))
            found.extend(f"{m.group(1) or ''}gpgcheck off"
                         for m in _GPGCHECK_OFF.finditer(text))
            found.extend(written_bypasses(shell_writes(ins)))
        else:
            found.extend(written_bypasses(copied_heredocs(ins)))
        for what in dict.fromkeys(found):
            yield self.finding(
                dockerfile.location(instruction.line, instruction.end_line),
                f"Package signature checks are turned off ({what}).",
                evidence=what,
            )
