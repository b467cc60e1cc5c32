"""Code downloaded over plain HTTP and used unverified (DF023)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.models.shell import ShellScript, SimpleCommand
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import DockerfileRule, judged, run_text
from hullcheck.rules.dockerfile.pipefail import extracts, verifies
from hullcheck.rules.dockerfile.remote_script import downloaded_files, runs_stdin

# A URL without transport security, to a host that is not this machine.
_PLAIN = re.compile(r"^[\"']?(?:http|ftp)://(?!(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])[:/\"']|"
                    r"(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])$)", re.IGNORECASE)
_DOWNLOADERS = frozenset({"curl", "curl.exe", "wget"})
# Consumers that trust what they read on stdin beyond running or unpacking it: a signing key.
_KEY_IMPORTS = frozenset({"gpg", "gpg2", "apt-key"})


def plain_urls(cmd: SimpleCommand) -> list[str]:
    """The plain-HTTP (or FTP) URLs a ``curl``/``wget`` command fetches, loopback left out."""
    if cmd.name not in _DOWNLOADERS:
        return []
    return [w.strip("\"'") for w in cmd.args() if _PLAIN.match(w)]


def _imports_key(cmd: SimpleCommand) -> bool:
    return (cmd.name in ("gpg", "gpg2") and cmd.has_option("--import")) or \
        (cmd.name == "apt-key" and "add" in cmd.args())


def plain_downloads(script: ShellScript) -> list[tuple[str, str]]:
    """``(url, what happens to it)`` for each plain-HTTP download the script uses unverified:
    piped into a shell, interpreter, extractor or key import, or saved to a file while no
    verifier (``sha256sum -c``, ``gpg --verify``...) runs in the script."""
    found: list[tuple[str, str]] = []
    piped: set[int] = set()
    for pipeline in script.pipelines:
        members = [c.unwrapped() for c in pipeline]
        for i, cmd in enumerate(members[:-1]):
            urls = plain_urls(cmd)
            if not urls:
                continue
            piped.add(id(pipeline[i]))
            consumer = next((m for m in members[i + 1 :]
                             if runs_stdin(m) or extracts(m) or _imports_key(m)), None)
            if consumer is None or any(verifies(m) for m in members[i + 1 :]):
                continue
            how = ("imported as a signing key" if _imports_key(consumer) else
                   "run" if runs_stdin(consumer) else "unpacked")
            found.extend((url, f"piped into {consumer.name}: {how}") for url in urls)
    if any(verifies(c.unwrapped()) for c in script.commands):
        return found
    for cmd in script.commands:
        if id(cmd) in piped:
            continue
        inner = cmd.unwrapped()
        urls = plain_urls(inner)
        if urls and (downloaded_files(inner) or inner.stdout_files()):
            found.extend((url, "saved and used with no checksum or signature check")
                         for url in urls)
    return found


class PlainHttpDownload(DockerfileRule):
    """
    ## What it finds
    A `RUN` that downloads with `curl` or `wget` over plain `http://` (or `ftp://`) and uses
    what it got without checking it:
    - piped into a shell or interpreter (`curl -sSL http://... | sh`), an extractor
      (`curl -sSL http://... | tar -xzf -`, `| gunzip`) or a key import
      (`wget -qO- http://.../KEYS | gpg --import`, `| apt-key add -`);
    - saved to a file (`curl -o`, `wget URL`) in a `RUN` that runs no verifier
      (`sha256sum -c`, `gpg --verify`, `gpgv`, `cosign verify`...).

    Not reported: `https://` URLs, loopback hosts (`http://localhost`, `127.0.0.1`), a download
    whose pipe or `RUN` verifies it, a URL held whole in a variable (`curl $URL`: unknown), and
    package managers (apt's `http://` mirrors are signed: DF013 judges those checks). `ADD
    http://...` is DF008's.

    ## Why it matters
    Plain HTTP has no integrity: anyone on the network path of the build (a proxy, a
    compromised router, a hostile CI network, a DNS answer) can replace the file, and nothing in
    the build notices. The image then runs, ships or trusts code the attacker chose; a signing
    key fetched this way makes every later signature check worthless.

    ## How to fix
    Use `https://`, and check what you download against a checksum or signature published
    apart from it.

    Before:
    ```Dockerfile
    RUN curl -sSL http://example.com/tool-1.2.tgz | tar -xzf - -C /opt
    ```
    After:
    ```Dockerfile
    RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool-1.2.tgz \\
     && echo "3f1a...  /tmp/tool.tgz" | sha256sum -c - \\
     && tar -xzf /tmp/tool.tgz -C /opt && rm /tmp/tool.tgz
    ```

    ## References
    - CIS Docker Benchmark 1.6, 4.11 "Ensure only verified packages are installed"
    """

    id = "DF023"
    name = "plain-http-download"
    title = "Code downloaded over plain HTTP and used unverified"
    severity = Severity.HIGH
    references = ("cis-docker-1.6:4.11",)
    fix = "Download over https and verify a checksum or signature before use."
    instructions = frozenset({"RUN"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        text = run_text(ins)
        # `in` first: nearly no RUN line has a plain URL.
        if ("http://" not in text and "ftp://" not in text and "HTTP://" not in text) or \
                ins.shell is None:
            return
        for url, how in dict.fromkeys(plain_downloads(ins.shell)):
            yield self.finding(
                dockerfile.location(instruction.line, instruction.end_line),
                f"{url} is downloaded over plain HTTP and {how}: anyone on the network path "
                "chooses its content.",
                evidence=f"{url} {how.split(':', 1)[0]}",
            )
