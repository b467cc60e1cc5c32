"""``ADD`` of remote content nobody verifies (DF008)."""

from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._remote import git_pinned, is_git_url, is_http_url
from hullcheck.rules.dockerfile._util import DockerfileRule, judged, sources_and_dest


class AddRemoteUnverified(DockerfileRule):
    """
    ## What it finds
    `ADD` of an `http(s)://` URL without `--checksum`, or of a git repository neither pinned to a
    full commit (`repo.git#<40-hex sha>`) nor given `--checksum`.

    ## Why it matters
    Whatever the server returns on the day of the build lands in the image, unverified: a
    compromised download site, a moved tag or a man in the middle changes your image without a
    change to your Dockerfile. CIS Docker Benchmark 4.9.

    ## How to fix
    Pin the content: `ADD --checksum=sha256:...` (Dockerfile syntax 1.6+), or download with
    `curl` and check the hash in a `RUN`, or pin a git source to a commit.

    Before: `ADD https://example.com/tool.tar.gz /opt/`
    After: `ADD --checksum=sha256:4c1f... https://example.com/tool.tar.gz /opt/`

    ## References
    - CIS Docker Benchmark 1.6, 4.9 "Ensure that COPY is used instead of ADD in Dockerfiles"
    """

    id = "DF008"
    name = "add-remote-unverified"
    title = "ADD of remote content without a checksum"
    severity = Severity.MEDIUM
    references = ("cis-docker-1.6:4.9",)
    fix = "Add `--checksum=sha256:...` (or pin a git source to a commit)."
    instructions = frozenset({"ADD"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        if ins.flag("checksum"):
            return
        sources, _dest = sources_and_dest(ins)
        for source in sources:
            if is_git_url(source):
                if not git_pinned(source):
                    yield self.finding(
                        dockerfile.location(instruction.line, instruction.end_line),
                        f"ADD of git repository {source} is not pinned to a commit.",
                        evidence=source,
                    )
            elif is_http_url(source):
                yield self.finding(
                    dockerfile.location(instruction.line, instruction.end_line),
                    f"ADD of {source} without --checksum: its content is not verified.",
                    evidence=source,
                )
