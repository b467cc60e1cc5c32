"""What an ``ADD`` source is: a URL, a git repository, a local archive (DF007, DF008)."""

from __future__ import annotations

import re

# Archive suffixes ADD is given for (it unpacks local tar archives): hadolint's list, plus zstd,
# which BuildKit also unpacks. Case-sensitive, as in hadolint (`.Z` is compress(1)).
ARCHIVE_SUFFIXES = (".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2",
                    ".tgz", ".tlz", ".tpz", ".txz", ".xz", ".zst", ".tzst")
_GIT_SSH = re.compile(r"^[\w.-]+@[\w.-]+:")  # git@github.com:org/repo.git
_COMMIT = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def is_http_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def is_git_url(source: str) -> bool:
    if source.startswith(("git://", "ssh://")) or _GIT_SSH.match(source):
        return True
    return is_http_url(source) and source.split("#", 1)[0].split("?", 1)[0].endswith(".git")


def is_remote(source: str) -> bool:
    return is_http_url(source) or is_git_url(source)


def is_archive(source: str) -> bool:
    return source.endswith(ARCHIVE_SUFFIXES)


def git_pinned(source: str) -> bool:
    """A git source pinned to a full commit (``repo.git#<sha>`` or ``?commit=<sha>``)."""
    fragment = source.split("#", 1)[1] if "#" in source else ""
    ref = fragment.split(":", 1)[0]
    if _COMMIT.match(ref):
        return True
    query = source.split("#", 1)[0].split("?", 1)[1] if "?" in source.split("#", 1)[0] else ""
    return any(_COMMIT.match(part.partition("=")[2]) for part in query.split("&")
               if part.startswith(("commit=", "ref=")))
