from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.models.shell import ShellScript, SimpleCommand
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import DockerfileRule, run_text
from hullcheck.rules.dockerfile.remote_script import downloads_to_stdout, runs_stdin

_PIPE = re.compile(r"(?<!\|)\|(?!\|)")  # `|` or `|&`, not `||`
# Shells without POSIX pipelines, where pipefail means nothing (as hadolint).
NON_POSIX_SHELLS = ("pwsh", "powershell", "cmd")


def shell_sets_pipefail(shell: Instruction) -> bool:
    """``SHELL ["/bin/bash", "-o", "pipefail", "-c"]`` (or ``-eo pipefail``...), or a shell
    where the question does not arise (PowerShell, cmd)."""
    words = list(shell.value)
    if not words:
        return False
    program = words[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
    if program.startswith(NON_POSIX_SHELLS):
        return True
    for i, word in enumerate(words[1:], start=1):
        if word.startswith("-") and not word.startswith("--") and word.endswith("o") and \
                i + 1 < len(words) and words[i + 1] == "pipefail":
            return True
        if word == "-opipefail":
            return True
    return False


def _inherited_pipefail(stage: Stage) -> bool:
    """The SHELL of ``FROM <stage>`` carries over (it is part of the image config)."""
    base = stage.base_stage
    while base is not None:
        shells = [i for i in base.instructions if i.cmd == "SHELL"]
        if shells:
            return shell_sets_pipefail(shells[-1])
        base = base.base_stage
    return False


# Programs that unpack what they read on standard input into files (with the options that make
# them unpack, where they also do other things).
_DECOMPRESSORS = frozenset({"gunzip", "zcat", "unxz", "xzcat", "bunzip2", "bzcat", "unzstd",
                            "zstdcat", "unlzma", "lzcat", "funzip"})
_DECOMPRESS_FLAGS = {"gzip": ("-d", "--decompress"), "xz": ("-d", "--decompress"),
                     "bzip2": ("-d", "--decompress"), "zstd": ("-d", "--decompress"),
                     "lzma": ("-d", "--decompress"), "pigz": ("-d", "--decompress"),
                     "cpio": ("-i", "--extract")}
_TAR_MODE = re.compile(r"^-?[A-Za-z]*x")  # `xz`, `-xzf`, `xvf`: the first word's letters
# Checksum tools: they verify with -c/--check.
_CHECKSUMS = frozenset({"sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "md5sum",
                        "b2sum", "shasum", "cksum"})


def extracts(cmd: SimpleCommand) -> bool:
    """A command that unpacks what it reads into files: ``tar x``, ``gunzip``, ``xz -d``..."""
    name = cmd.name
    if name in ("tar", "bsdtar", "gtar"):
        args = cmd.args()
        if any(a in ("--extract", "--get") for a in args):
            return True
        first = next((a for a in args if not a.startswith("--")), "")
        return bool(_TAR_MODE.match(first)) or cmd.has_option("-x")
    if name in _DECOMPRESSORS:
        return True
    flags = _DECOMPRESS_FLAGS.get(name)
    return flags is not None and cmd.has_option(*flags)


def verifies(cmd: SimpleCommand) -> str | None:
    """The check a command makes (``sha256sum -c``, ``gpg --verify``...), or None."""
    name = cmd.name
    if name in _CHECKSUMS and cmd.has_option("-c", "--check"):
        return f"{name} -c"
    if name in ("gpg", "gpg2") and cmd.has_option("--verify"):
        return f"{name} --verify"
    if name in ("gpgv", "gpgv2"):
        return name
    if name == "cosign" and any(a.startswith("verify") for a in cmd.args()[:1]):
        return f"cosign {cmd.args()[0]}"
    if name in ("minisign", "signify") and cmd.has_option("-V"):
        return f"{name} -V"
    if name == "openssl" and "-verify" in cmd.args():
        return "openssl -verify"
    if name == "rpm" and cmd.has_option("-K", "--checksig"):
        return "rpm --checksig"
    return None


@dataclass(frozen=True, slots=True)
class MaskedFailure:
    """A pipe whose masked failure lets unverified content through."""

    severity: Severity
    what: str  # for the evidence: "curl | tar", "sha256sum -c | tee"
    message: str


def masked_failure(pipeline: list[SimpleCommand]) -> MaskedFailure | None:
    """What goes through when a command before the last one fails: a check that does not
    count (a verifier not last), a partial script run (a download piped into a shell) or a
    partial download unpacked (a download piped into an extractor). None for every other pipe
    (``find | awk | xargs``, ``dpkg -l | grep``): a failure there costs reliability, not
    integrity."""
    members = [c.unwrapped() for c in pipeline]
    for cmd in members[:-1]:
        check = verifies(cmd)
        if check is not None:
            last = members[-1].name
            return MaskedFailure(
                Severity.MEDIUM, f"{check} | {last}",
                f"`{check}` is not the last command of its pipe (`... | {last}`) and the shell "
                "has no pipefail: a failed check does not fail the build, and what it was to "
                "verify is used unverified.")
    for i, cmd in enumerate(members[:-1]):
        if not downloads_to_stdout(cmd):
            continue
        later = members[i + 1 :]
        runner = next((m for m in later if runs_stdin(m)), None)
        if runner is not None:
            return MaskedFailure(
                Severity.MEDIUM, f"{cmd.name} | {runner.name}",
                f"A download is piped into `{runner.name}` and the shell has no pipefail: when "
                f"`{cmd.name}` fails part-way, `{runner.name}` runs the part of the script it "
                "received and the build goes on.")
        extractor = next((m for m in later if extracts(m)), None)
        if extractor is not None:
            return MaskedFailure(
                Severity.LOW, f"{cmd.name} | {extractor.name}",
                f"A download is piped into `{extractor.name}` and the shell has no pipefail: "
                f"a failing `{cmd.name}` does not fail the build, which goes on with whatever "
                "was unpacked.")
    return None


def script_sets_pipefail_first(script: ShellScript,
                               pipeline: list[SimpleCommand] | None = None) -> bool:
    """``set -o pipefail`` (``set -euo pipefail``...) before ``pipeline`` (by default, the
    first pipeline)."""
    if pipeline is None:
        pipeline = script.pipelines[0] if script.pipelines else None
    first = pipeline[0] if pipeline else None
    for cmd in script.commands:
        if cmd is first:
            return False
        if cmd.name == "set":
            words = cmd.words
            for i, word in enumerate(words[1:], start=1):
                if word.startswith("-") and word.endswith("o") and i + 1 < len(words) \
                        and words[i + 1] == "pipefail":
                    return True
    return False


class PipeWithoutPipefail(DockerfileRule):
    """
    ## What it finds
    A `RUN` pipe whose masked failure lets unverified content through, while the shell does not
    fail on a failing pipe member (no `SHELL [..., "-o", "pipefail", "-c"]` earlier in the stage
    or in the stage it is built `FROM`, whose `SHELL` it inherits, and no `set -o pipefail` in
    the script before the pipe):
    - a verifier that is not the last command of its pipe (`sha256sum -c SUMS | tee log`,
      `gpg --verify x.asc x 2>&1 | grep -v WARNING`; also `gpgv`, `cosign verify`,
      `minisign -V`, `openssl ... -verify`, `rpm --checksig`): medium, a failed check does
      not fail the build;
    - a download (`curl`, `wget -O-`) piped into a shell or interpreter that runs it
      (`wget -qO- ... | bash`): medium, a part-way failure runs part of the script (DF014
      reports the unverified script on the same line, and stands for this finding);
    - a download piped into an extractor (`curl ... | tar xz`, `| gunzip > tool`, `xz -d`,
      `cpio -i`): low, the build goes on with whatever was unpacked.

    Other pipes are not reported: `find | awk | xargs`, `dpkg -l | grep`, `cat f | tr`, a key
    import (`wget -qO- KEYS | gpg --import`: a failed download leaves no key and the later
    check fails), and pipes fed by `echo`/`printf` (`echo "$SHA256 *app.tgz" | sha256sum -c
    -`, the verifier last). A failure there costs build reliability, not integrity: hadolint's
    DL4006 is the lint for every pipe. `SHELL` set to PowerShell or cmd turns the rule off, as in
    hadolint; `ONBUILD RUN` is not judged (its shell is the one of the downstream build). One
    finding per `RUN`: the most severe of its pipes.

    ## Why it matters
    Only the last command of a pipe sets its exit status. `sha256sum -c SUMS | tee log`
    succeeds when the checksum does not match: the build installs what it meant to verify.
    `curl ... | sh` that fails part-way leaves `sh` to run the lines it got (a cut
    `rm -rf /usr/local/app` is `rm -rf /usr`); `curl ... | tar xz` goes on with a missing or
    half-unpacked tree.

    ## How to fix
    Before:
    ```Dockerfile
    RUN curl -fsSL https://example.com/app.tgz | tar xz
    ```
    After:
    ```Dockerfile
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    RUN curl -fsSL https://example.com/app.tgz | tar xz
    ```
    (Alpine: `SHELL ["/bin/ash", "-o", "pipefail", "-c"]`.) Better still, download to a file,
    verify it, then unpack it; and make the verifier the last command of its pipe.

    ## References
    - hadolint DL4006 (hadolint fires on every pipe, also after `set -o pipefail` in the
      script, with `SHELL ["/bin/sh", "-o", "pipefail", "-c"]`, and in a stage built FROM a
      stage that set the SHELL; hullcheck reports only the pipes above)
    """

    id = "DF019"
    name = "pipe-without-pipefail"
    title = "Pipe in RUN without pipefail"
    severity = Severity.LOW
    references = ("hadolint:DL4006",)
    fix = 'Add `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN.'

    def check_stage(self, ctx: Context, dockerfile: Dockerfile, stage: Stage
                    ) -> Iterator[Finding]:
        pipefail = _inherited_pipefail(stage)
        for ins in stage.instructions:
            if ins.cmd == "SHELL":
                pipefail = shell_sets_pipefail(ins)
            elif ins.cmd == "RUN" and not pipefail and _PIPE.search(run_text(ins)):
                script = ins.shell
                if script is None or not script.pipelines:
                    continue
                found = [m for pipeline in script.pipelines
                         if (m := masked_failure(pipeline)) is not None
                         and not script_sets_pipefail_first(script, pipeline)]
                if not found:
                    continue
                worst = max(found, key=lambda m: m.severity)  # (the first of the worst)
                yield self.finding(dockerfile.location(ins.line, ins.end_line), worst.message,
                                   severity=worst.severity, evidence=worst.what)
