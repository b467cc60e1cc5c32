"""Package signature checks turned off (DF013)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.models.shell import SimpleCommand
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import RPM_FAMILY, DockerfileRule, Keywords, judged, run_text
from hullcheck.rules.dockerfile._writes import FileWrite, copied_heredocs, shell_writes
from hullcheck.rules.dockerfile.remote_script import downloaded_files

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
# `deb [options] URI ...`: the options, then the URI. One bracket group per line, matched in
# linear time (an unclosed `[trusted=yes trusted=yes ...` made the older pattern quadratic).
_APT_SOURCE = re.compile(r"^[ \t]*deb(?:-src)?[ \t]+\[([^\]\n]*)\][ \t]*(\S*)",
                         re.IGNORECASE | re.MULTILINE)
_TRUSTED_YES = re.compile(r"\btrusted\s*=\s*yes\b", re.IGNORECASE)
_DEB822_TRUSTED = re.compile(r"^\s*Trusted\s*:\s*yes\s*$", re.IGNORECASE | re.MULTILINE)
_DEB822_URIS = re.compile(r"^\s*URIs\s*:(.*)$", re.IGNORECASE | re.MULTILINE)
# apt's URI schemes that read from this machine: no network path, nothing for signatures to
# protect against (the official nginx and postgres images install the packages the same RUN
# built through `deb [trusted=yes] file://$tempDir ./`).
_APT_LOCAL_SCHEMES = ("file:", "copy:", "cdrom:")
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


def _local_uri(uri: str) -> bool:
    return uri.strip("\"'").lower().startswith(_APT_LOCAL_SCHEMES)


def remote_trusted_sources(text: str) -> bool:
    """A one-line ``deb [trusted=yes] URI ...`` whose URI is not on this machine (a variable
    for the whole URI counts as remote: it may be anything)."""
    return any(_TRUSTED_YES.search(m.group(1)) and not _local_uri(m.group(2))
               for m in _APT_SOURCE.finditer(text))


def _remote_trusted_stanza(text: str) -> bool:
    """A deb822 stanza with ``Trusted: yes`` and a URI that is not on this machine."""
    for stanza in re.split(r"\n\s*\n", text):
        if _DEB822_TRUSTED.search(stanza):
            uris = [u for m in _DEB822_URIS.finditer(stanza) for u in m.group(1).split()]
            if not uris or not all(_local_uri(u) for u in uris):
                return True
    return False


def written_bypasses(writes: list[FileWrite]) -> list[str]:
    """Signature checks turned off by what is written into apt's configuration or sources;
    sources on this machine (``file:``, ``copy:``, ``cdrom:``) are not reported."""
    out: list[str] = []
    for write in writes:
        if _apt_config_file(write.path):
            out.extend(f"{name} true in {write.path}" for name in _apt_options_on(write.content))
        elif _apt_sources_file(write.path) and (
                remote_trusted_sources(write.content) or
                (write.path.endswith(".sources") and _remote_trusted_stanza(write.content)) or
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


def signature_bypasses(cmd: SimpleCommand,
                       downloaded: frozenset[str] = frozenset()) -> list[str]:
    """The signature checks a command turns off. ``downloaded``: files fetched by
    ``curl``/``wget`` earlier in the stage (a package file among them is remote)."""
    name = cmd.name
    out: list[str] = []
    if name in _APT:
        for flag in ("--allow-unauthenticated", "--allow-insecure-repositories", "--force-yes"):
            if cmd.has_option(flag):
                out.append(f"{name} {flag}")
        out.extend(_apt_command_options(cmd))
    elif name in _ADD_REPOSITORY and any(remote_trusted_sources(a) for a in cmd.args()):
        out.append(f"{name} [trusted=yes]")
    elif name == "apk" and cmd.has_option("--allow-untrusted") and \
            not _local_files_only(cmd, _APK_VALUED, ".apk", downloaded):
        out.append("apk --allow-untrusted")
    elif name in RPM_FAMILY and cmd.has_option("--nogpgcheck") and \
            not _local_files_only(cmd, _DNF_VALUED, ".rpm", downloaded):
        out.append(f"{name} --nogpgcheck")
    elif name == "zypper" and cmd.has_option("--no-gpg-checks", "--no-gpg-check"):
        out.append("zypper --no-gpg-checks")
    elif name == "rpm" and not _local_files_only(cmd, _RPM_VALUED, ".rpm", downloaded):
        for flag in ("--nosignature", "--nodigest", "--nosig"):
            if cmd.has_option(flag):
                out.append(f"rpm {flag}")
    return out


# Options of apk, dnf/yum and rpm that take the next word as their value (so it is no operand).
_APK_VALUED = frozenset({"-X", "--repository", "-t", "--virtual", "-p", "--root", "--arch",
                         "--keys-dir", "--repositories-file", "--cache-dir", "-o", "--output",
                         "--timeout", "--cache-max-age", "--description", "-d",
                         "--rewrite-arch"})
_DNF_VALUED = frozenset({"--repo", "--repoid", "--enablerepo", "--disablerepo", "--setopt",
                         "--releasever", "--installroot", "-c", "--config", "--exclude", "-x",
                         "--repofrompath", "--forcearch", "-d", "--debuglevel", "-e",
                         "--errorlevel", "--downloaddir", "--destdir"})
_RPM_VALUED = frozenset({"--root", "--dbpath", "--prefix", "--relocate", "--define", "-D",
                         "--excludepath", "--rcfile", "--macros"})
# Where an operand of an install names a package to fetch from a configured (remote) repository
# rather than a file: a bare name (`curl`, `nginx=1.27*`). Repository options that name a URL.
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def _local_files_only(cmd: SimpleCommand, valued: frozenset[str], suffix: str,
                      downloaded: frozenset[str]) -> bool:
    """Every operand of the command is a package file on this machine (``/tmp/packages/*.apk``,
    ``./tool.rpm``), none downloaded by ``curl``/``wget`` earlier in the stage (``downloaded``:
    their output paths and file names), and no repository option names a URL: signatures are
    only skipped for files the build itself made or copied in. A package named for a
    repository to resolve (``apk add --allow-untrusted tool``) or a URL is remote."""
    operands: list[str] = []
    words = cmd.args()
    skip = False
    for word in words:
        if skip:
            skip = False
            if "://" in word:
                return False  # -X https://mirror/... / --repofrompath=x,https://...
            continue
        if word.startswith("-"):
            name, eq, value = word.partition("=")
            if name in valued and not eq:
                skip = True
            elif eq and "://" in value:
                return False
            continue
        operands.append(word.strip("\"'"))
    # The subcommand (apk add, dnf install, yum localinstall) is no package.
    if cmd.name != "rpm" and operands and "/" not in operands[0] and \
            not operands[0].endswith(suffix):
        operands = operands[1:]
    if not operands:
        return False
    for operand in operands:
        if _URL.match(operand) or not (operand.endswith(suffix) or "/" in operand or
                                       operand.endswith(suffix + "*")):
            return False
        if operand in downloaded or posixpath.basename(operand) in downloaded:
            return False
    return True


_LOCAL_FILE_INSTALLERS = RPM_FAMILY | {"apk", "rpm"}


def _downloads_before(stage: Stage | None, instruction: Instruction) -> frozenset[str]:
    """The files ``curl``/``wget`` save in the RUNs of the stage up to ``instruction`` (paths
    and file names): a package file fetched over the network is not a local one."""
    if stage is None:
        return frozenset()
    out: set[str] = set()
    for ins in stage.instructions:
        if ins.cmd == "RUN" and ins.shell is not None and \
                ("curl" in ins.original or "wget" in ins.original):
            for cmd in ins.shell.commands:
                for path in downloaded_files(cmd.unwrapped()):
                    out.update((path, posixpath.basename(path)))
        if ins is instruction:
            break
    return frozenset(out)


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

    Only remote sources are reported: a `trusted=yes` source on this machine (`file:`, `copy:`,
    `cdrom:`, as in `deb [trusted=yes] file://$tempDir ./`, how the official nginx and
    postgres images install the packages they just built) and `apk`/`rpm`/`dnf`/`yum` given
    only package files (`apk add --allow-untrusted /tmp/packages/*.apk`, `rpm -i --nosignature
    ./x.rpm`) relax no network trust. A package named for a repository to resolve
    (`apk add --allow-untrusted tool`), a URL, a repository option with a URL (`-X https://...`)
    and a package file that `curl`/`wget` downloaded earlier in the stage (by path or file name)
    are still reported; a whole source URI held in a variable (`deb [trusted=yes] $REPO ...`)
    counts as remote.

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
            downloaded: frozenset[str] | None = None
            for cmd in ins.shell.commands:
                inner = cmd.unwrapped()
                if downloaded is None and inner.name in _LOCAL_FILE_INSTALLERS:
                    downloaded = _downloads_before(stage, instruction)
                found.extend(signature_bypasses(inner, downloaded or frozenset()))
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
