"""Finding and reading the files a scan asked for.

Walking is defensive: symlink loops, broken links, unreadable files, FIFOs and oversized files
become a skip or an error line, never a traceback or a hang. A walk stays inside the directory it
was given: a symbolic link is followed only while its target is inside that directory (a scanned
repository is written by strangers, and ``config -> ~/.docker`` is one line of it).
"""

from __future__ import annotations

import gc
import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hullcheck.findings import InputError, SkippedPath

if TYPE_CHECKING:
    from hullcheck.yamlutil import Document, YamlError

# Larger inputs are refused: no real Dockerfile, compose file or manifest bundle comes near this,
# and it bounds memory for hostile input.
MAX_FILE_BYTES = 64 * 1024 * 1024
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__",
                       ".tox", ".mypy_cache", ".ruff_cache", ".pytest_cache"})


@dataclass
class Source:
    """One input: its text and how to name it in findings."""

    path: str  # as reported in findings (relative as given, or --stdin-name)
    text: str
    fs_path: Path | None = None  # None for stdin
    explicit: bool = False  # named on the command line (so it must be understood)
    # the resolved directory named on the command line whose walk found it (None for a file
    # named itself, and stdin): what Kubernetes units (kustomizations) may not leave
    root: str | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def cached(self, key: str, compute: Any) -> Any:
        """Per-source memo, so several kinds sniffing the same YAML parse it once."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def yaml_documents(self) -> list[Document] | YamlError:
        """The YAML documents of this source, or the error that stopped parsing: parsed once,
        however many input kinds sniff it."""
        from hullcheck.yamlutil import YamlError, load_documents

        def load() -> list[Document] | YamlError:
            try:
                return load_documents(self.text)
            except YamlError as exc:
                # Kept without its traceback: the frames hold the half-built document (a
                # refused bomb's million merged keys), which would live as long as the source.
                return exc.with_traceback(None)

        result: list[Document] | YamlError = self.cached("yaml", load)
        return result


def decode(data: bytes, path: str) -> str:
    """UTF-8 (with BOM), else an error: binary junk is not a Dockerfile."""
    if b"\x00" in data[:8192]:
        raise ValueError(f"{path}: binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def read_source(fs_path: str | os.PathLike[str], display: str, explicit: bool) -> Source:
    """Read one file; raises ValueError with a one-line message.

    A file named on the command line is also checked before it is opened, so a device node is
    never opened at all (walked files were already seen to be regular by the walk).
    """
    data = read_regular(fs_path, display, MAX_FILE_BYTES, check_first=explicit)
    path = fs_path if isinstance(fs_path, Path) else Path(os.fspath(fs_path))
    return Source(path=display, text=decode(data, display), fs_path=path, explicit=explicit)


class TooLarge(ValueError):
    """``read_regular``'s refusal of a file over its limit (callers may word it their way)."""


def read_regular(fs_path: str | os.PathLike[str], display: str, limit: int,
                 check_first: bool = True) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; raises ValueError (one line,
    starting with ``display``) for anything else.

    One open and one fstat per file: the open does not block on a FIFO (O_NONBLOCK), and what
    fstat says about the opened file decides, so nothing can be swapped in between the check and
    the read. With ``check_first``, a stat before the open keeps device nodes from being opened
    at all (opening one can have effects: a tape rewinds).
    """
    os_path = os.fspath(fs_path)
    try:
        if check_first and not stat.S_ISREG(os.stat(os_path).st_mode):
            raise ValueError(f"{display}: not a regular file")
        fd = os.open(os_path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise ValueError(f"{display}: cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"{display}: not a regular file")
        if st.st_size > limit:
            raise TooLarge(
                f"{display}: file too large ({st.st_size} bytes; the limit is {limit})"
            )
        data = _read_all(fd, st.st_size, limit)
    except OSError as exc:
        raise ValueError(f"{display}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise TooLarge(f"{display}: file too large (over {limit} bytes)")
    return data


def _read_all(fd: int, size: int, limit: int) -> bytes:
    """Up to ``limit`` + 1 bytes of ``fd``, a regular file of ``size`` bytes. Asking for what is
    needed matters: a read of the whole limit allocates that much for every file."""
    data = os.read(fd, size + 1)
    if len(data) <= size:  # a regular file reads short only at its end
        return data
    # It grew since fstat: read on until its end or past the limit.
    chunks = [data]
    total = len(data)
    while total <= limit:
        chunk = os.read(fd, min(1024 * 1024, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_stdin(name: str) -> Source:
    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{name}: standard input too large (over {MAX_FILE_BYTES} bytes)")
    return Source(path=name, text=decode(data, name), fs_path=None, explicit=True)


@dataclass
class WalkResult:
    # (OS path, display path, explicit, resolved root of the walk or None). Strings, not Paths:
    # the walk builds none (a Path per directory and file cost as much as the listing itself);
    # read_source makes one per file.
    files: list[tuple[str, str, bool, str | None]] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # for --verbose
    # symbolic links leading out of the walked directory: JSON ``skipped`` (and --verbose)
    outside: list[SkippedPath] = field(default_factory=list)


def display_path(path: str | os.PathLike[str]) -> str:
    text = os.path.normpath(os.fspath(path))
    return text[2:] if text.startswith("./") else text


def walk(targets: list[str]) -> WalkResult:
    """Expand the command-line targets into files, with loop and link protection. A target
    named on the command line is followed even when it is a link: the user chose it."""
    result = WalkResult()
    for target in targets:
        path = str(Path(target))
        if os.path.isdir(path):
            _walk_dir(path, result)
        elif os.path.exists(path):
            result.files.append((path, display_path(path), True, None))
        elif os.path.islink(path):
            result.errors.append(InputError(target, "broken symbolic link"))
        else:
            result.errors.append(InputError(target, "no such file or directory"))
    return result


def inside(path: str, root: str) -> bool:
    """Whether the resolved ``path`` is ``root`` or under it (both resolved)."""
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # another drive (Windows)
        return False


def _walk_dir(root: str, result: WalkResult) -> None:
    # Where links may lead: inside the directory as named, which may itself be a link.
    real_root = os.path.realpath(root)
    seen: set[tuple[int, int]] = set()
    stack: list[str] = [root]
    # Links to directories inside the root are walked after every real directory, so a file
    # is reported under its own path, not under the first link that happens to reach it.
    linked: list[str] = []
    while stack or linked:
        via_link = not stack
        directory = stack.pop() if stack else linked.pop(0)
        try:
            st = os.stat(directory)
        except OSError as exc:
            result.skipped.append(f"{display_path(directory)}: {exc.strerror or exc}")
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            why = "symbolic link to a directory walked already" if via_link else "directory loop"
            result.skipped.append(f"{display_path(directory)}: {why}, not followed")
            continue
        seen.add(key)
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            if directory == root:
                result.errors.append(
                    InputError(display_path(directory), f"cannot list: {exc.strerror or exc}")
                )
            else:
                result.skipped.append(f"{display_path(directory)}: {exc.strerror or exc}")
            continue
        subdirs: list[str] = []
        for entry in entries:
            p = entry.path
            try:
                link = entry.is_symlink()
                if link and not _link_stays_inside(p, real_root, result):
                    continue
                if entry.is_dir():
                    if entry.name not in SKIP_DIRS:
                        (linked if link else subdirs).append(p)
                    continue
                if entry.is_file():
                    result.files.append((p, display_path(p), False, real_root))
                elif link:
                    result.skipped.append(f"{display_path(p)}: broken symbolic link")
            except OSError as exc:
                result.skipped.append(f"{display_path(p)}: {exc.strerror or exc}")
        stack.extend(reversed(subdirs))


def _link_stays_inside(path: str, real_root: str, result: WalkResult) -> bool:
    """Whether the link at ``path`` may be followed; a link out of the root is recorded as
    skipped (a broken link resolves inside or outside, and is reported as broken either way)."""
    target = os.path.realpath(path)
    if inside(target, real_root) or not os.path.lexists(target):
        return True
    display = display_path(path)
    reason = f"symbolic link to {target}, outside {display_path(real_root)}: not followed"
    result.outside.append(SkippedPath(display, reason))
    result.skipped.append(f"{display}: {reason}")
    return False


# YAML a process must have to parse before a second one pays: about 70 ms of composing (15 MB/s),
# against the fork and the values' way back (pickled: about a third of parsing them).
MIN_YAML_PER_PROCESS = 1 << 20


def parse_ahead(sources: Sequence[Source], jobs: int | None = None) -> None:
    """Parse the YAML of ``sources`` now, over the CPUs when there is enough of it: forked
    children parse contiguous shares and send the documents back pickled (``parallel``), and
    each source keeps its own, so classifying and loading find them parsed. Nothing is parsed
    here in one process (classifying parses what it needs, as before); ``jobs`` is ``--jobs``."""
    from hullcheck import parallel

    todo = [s for s in sources if "yaml" not in s._cache]
    if jobs == 1 or len(todo) < 2:
        return
    size = sum(len(s.text) for s in todo)
    processes = parallel.jobs_for(len(todo), jobs, size, MIN_YAML_PER_PROCESS)
    if processes < 2:
        return
    paused = gc.isenabled()
    gc.disable()  # unpickling makes many containers, none of them garbage (as load_documents)
    try:
        parts = parallel.map_chunks(todo, _parse, processes, weight=lambda s: len(s.text))
    finally:
        if paused:
            gc.freeze()
            gc.enable()
    for source, docs in zip(todo, (d for part in parts for d in part), strict=True):
        source._cache["yaml"] = docs


def _parse(part: Sequence[Source]) -> list[list[Document] | YamlError]:
    return [s.yaml_documents() for s in part]
