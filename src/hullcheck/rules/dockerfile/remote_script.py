from __future__ import annotations

import re
from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.models.shell import ShellScript, SimpleCommand
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import DockerfileRule, judged, run_text

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "fish"})
INTERPRETERS = frozenset({"python", "python2", "python3", "perl", "ruby", "php", "node"})
_DOWNLOAD = re.compile(r"\b(curl|wget)\b")
_HANDOFF = re.compile(r"\||\$\(|`|<\(")  # a pipe or a substitution: how fetched code runs
_FETCH_IN_WORD = re.compile(r"(\$\(|`|<\()\s*(\S*/)?(curl|wget)\b")


def _is_interpreter(name: str) -> bool:
    return name in INTERPRETERS or bool(re.fullmatch(r"python\d(\.\d+)?", name))


def _output_target(cmd: SimpleCommand, letter: str, long: str) -> str | None:
    """The value of a short option that takes one (``-O x``, ``-Ox``, bundled ``-qO x`` and
    ``-qO-``, where the rest of the word is the value) or of its long form (``--long x``,
    ``--long=x``); None when absent."""
    args = cmd.args()
    for i, word in enumerate(args):
        if word == "--":
            break
        if word == long or (word.startswith("-") and not word.startswith("--") and
                            word.endswith(letter) and word[1:].isalpha()):
            return args[i + 1] if i + 1 < len(args) else ""
        if word.startswith(long + "="):
            return word[len(long) + 1 :]
        if word.startswith("-") and not word.startswith("--") and letter in word[1:]:
            flags, _, rest = word[1:].partition(letter)
            if flags.isalpha() or not flags:
                return rest
    return None


def downloads_to_stdout(cmd: SimpleCommand) -> bool:
    if cmd.name in ("curl", "curl.exe"):
        target = _output_target(cmd, "o", "--output")
        if target is not None:
            return target in ("-", "/dev/stdout")
        return not cmd.has_option("-O", "--remote-name", "--remote-name-all")
    if cmd.name == "wget":
        target = _output_target(cmd, "O", "--output-document")
        return target in ("-", "/dev/stdout")
    return False


def downloaded_files(cmd: SimpleCommand) -> list[str]:
    """The files a ``curl``/``wget`` command saves (``-o x``, ``-O x``; ``curl -O URL`` and
    ``wget URL``: the URL's file name), standard output left out."""
    if cmd.name in ("curl", "curl.exe"):
        target = _output_target(cmd, "o", "--output")
        if target is not None:
            return [] if target in ("-", "/dev/stdout", "") else [target]
        remote_name = cmd.has_option("-O", "--remote-name", "--remote-name-all")
    elif cmd.name == "wget":
        target = _output_target(cmd, "O", "--output-document")
        if target is not None:
            return [] if target in ("-", "/dev/stdout", "") else [target]
        remote_name = True
    else:
        return []
    if not remote_name:
        return []
    urls = [a for a in cmd.args() if "://" in a]
    return [name for u in urls
            if (name := u.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1])]


def runs_stdin(cmd: SimpleCommand) -> bool:
    """A shell or interpreter that executes what it reads on stdin (not ``python -c '...'``)."""
    if cmd.name in SHELLS:
        return not cmd.has_option("-c")
    if _is_interpreter(cmd.name):
        args = cmd.args()
        return not args or args[0] == "-" or (args[0].startswith("-") and
                                             not cmd.has_option("-c", "-m", "-e", "-r", "-p"))
    return False


def runs_fetched_code(cmd: SimpleCommand) -> bool:
    """``bash <(curl ...)``, ``sh -c "$(curl ...)"``, ``eval "$(wget -O- ...)"``,
    ``source <(curl ...)``."""
    if cmd.name not in SHELLS and cmd.name not in ("eval", "source", ".") and \
            not _is_interpreter(cmd.name):
        return False
    return any(_FETCH_IN_WORD.search(w) for w in cmd.args())


def may_run_fetched_code(text: str) -> bool:
    """A cheap pre-filter: the text names a downloader and has a pipe or a substitution."""
    # `in` first: most RUN lines name neither tool, and it is much cheaper than a regex.
    return ("curl" in text or "wget" in text) and _DOWNLOAD.search(text) is not None \
        and _HANDOFF.search(text) is not None


def fetched_code_runs(script: ShellScript) -> list[str]:
    """How a script runs code it downloads (``curl | sh``, ``bash $(curl)``...), each once."""
    found: list[str] = []
    for pipeline in script.pipelines:
        members = [c.unwrapped() for c in pipeline]
        for i, cmd in enumerate(members):
            if downloads_to_stdout(cmd):
                runner = next((m for m in members[i + 1 :] if runs_stdin(m)), None)
                if runner is not None:
                    found.append(f"{cmd.name} | {runner.name}")
                break
    for cmd in script.commands:
        inner = cmd.unwrapped()
        if runs_fetched_code(inner):
            found.append(f"{inner.name} $({'curl' if 'curl' in str(inner) else 'wget'})")
    return list(dict.fromkeys(found))


class RemoteScriptPipedToShell(DockerfileRule):
    """
    ## What it finds
    A script downloaded and run in one go: `curl ... | sh`, `wget -O- ... | bash`,
    `curl ... | sudo python3 -`, `bash <(curl ...)`, `sh -c "$(curl ...)"`,
    `eval "$(wget -qO- ...)"`. Downloads saved to a file (`curl -o x`) and output piped into
    something that does not execute it (`curl ... | tar xz`, `curl ... | python3 -c '...'`) are not
    judged.

    ## Why it matters
    Nothing checks what the server sent before it runs as root in your build: a compromised site,
    a hijacked domain or a truncated download executes unreviewed. The build is not reproducible
    either: the script can change between two builds of the same Dockerfile.

    ## How to fix
    Download to a file, verify its checksum (or signature), then run it; better, pin the version.

    Before: `RUN curl -fsSL https://get.example.com/install.sh | sh`
    After:
    ```Dockerfile
    RUN curl -fsSLo /tmp/install.sh https://get.example.com/v1.4.2/install.sh \\
     && echo "3f1a...  /tmp/install.sh" | sha256sum -c - \\
     && sh /tmp/install.sh && rm /tmp/install.sh
    ```

    ## References
    - CIS Docker Benchmark 1.6, 4.11 "Ensure only verified packages are installed" (related)
    - hadolint DL4006, on a `curl ... | sh` without pipefail: this finding then stands for
      DF019's (one finding for the pipe) and carries its tag
    """

    id = "DF014"
    name = "remote-script-piped-to-shell"
    title = "Remote script piped to a shell"
    severity = Severity.HIGH
    # Where it stands for DF019 on the same pipe (hullcheck.overlaps), it carries DF019's tag.
    extra_references = ("hadolint:DL4006",)
    fix = "Download to a file, verify its checksum, then run it."
    instructions = frozenset({"RUN"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        text = run_text(ins)
        # `in` first: most RUN lines name neither tool, and it is much cheaper than a regex.
        if not may_run_fetched_code(text) or ins.shell is None:
            return
        for what in fetched_code_runs(ins.shell):
            yield self.finding(
                dockerfile.location(instruction.line, instruction.end_line),
                f"A downloaded script is run without verification ({what}).",
                evidence=what,
            )
