"""``ADD`` where ``COPY`` serves (DF007)."""

from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._remote import is_archive, is_remote
from hullcheck.rules.dockerfile._util import DockerfileRule, judged, sources_and_dest


class AddLocalFiles(DockerfileRule):
    """
    ## What it finds
    `ADD` of local files or directories, where `COPY` does the same thing. Like hadolint, an `ADD`
    whose every source is a URL or a tar archive (which `ADD` unpacks: `.tar`, `.tar.gz`, `.tgz`,
    `.tar.xz`, `.tar.zst`...) is left alone; remote sources are judged by DF008.

    ## Why it matters
    `ADD` does more than copy: it unpacks archives and fetches URLs. Used for plain files it hides
    that behaviour where nobody expects it (a `.tar` file dropped into the context is silently
    unpacked). CIS Docker Benchmark 4.9 asks for `COPY`.

    ## How to fix
    Before: `ADD app/ /srv/app/`
    After: `COPY app/ /srv/app/`

    ## References
    - CIS Docker Benchmark 1.6, 4.9 "Ensure that COPY is used instead of ADD in Dockerfiles"
    - hadolint DL3020
    """

    id = "DF007"
    name = "add-instead-of-copy"
    title = "ADD used for local files"
    severity = Severity.LOW
    references = ("cis-docker-1.6:4.9", "hadolint:DL3020")
    fix = "Use COPY for local files and directories."
    instructions = frozenset({"ADD"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        sources, _dest = sources_and_dest(ins)
        if ins.heredocs and not sources:
            sources = ["<<heredoc"]
        local = [s for s in sources if not is_remote(s) and not is_archive(s)]
        if local:
            # hadolint does not judge ONBUILD triggers for DL3020.
            refs = self.references if instruction is ins else ("cis-docker-1.6:4.9",)
            yield self.finding(
                dockerfile.location(instruction.line, instruction.end_line),
                f"ADD of local files ({', '.join(local)}): COPY does this without ADD's "
                "unpacking and fetching.",
                references=refs,
                evidence=" ".join(local),
            )
