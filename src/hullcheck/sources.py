"""Finding and reading the files a scan asked for.

Walking is defensive: symlink loops, broken links, unreadable files, FIFOs and oversized files
become a skip or an error line, never a traceback or a hang.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hullcheck.findings import InputError

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
                return exc

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


def read_source(fs_path: Path, display: str, explicit: bool) -> Source:
    """Read one file; raises ValueError with a one-line message."""
    try:
        st = fs_path.stat()
    except OSError as exc:
        raise ValueError(f"{display}: cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{display}: not a regular file")
    if st.st_size > MAX_FILE_BYTES:
        raise ValueError(
            f"{display}: file too large ({st.st_size} bytes; the limit is {MAX_FILE_BYTES})"
        )
    try:
        with fs_path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ValueError(f"{display}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{display}: file too large (over {MAX_FILE_BYTES} bytes)")
    return Source(path=display, text=decode(data, display), fs_path=fs_path, explicit=explicit)


def read_stdin(name: str) -> Source:
    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{name}: standard input too large (over {MAX_FILE_BYTES} bytes)")
    return Source(path=name, text=decode(data, name), fs_path=None, explicit=True)


@dataclass
class WalkResult:
    files: list[tuple[Path, str, bool]] = field(default_factory=list)  # (path, display, explicit)
    errors: list[InputError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # for --verbose


def display_path(path: Path) -> str:
    text = os.path.normpath(str(path))
    return text[2:] if text.startswith("./") else text


def walk(targets: list[str]) -> WalkResult:
    """Expand the command-line targets into files, with loop and link protection."""
    result = WalkResult()
    for target in targets:
        path = Path(target)
        if path.is_dir():
            _walk_dir(path, result)
        elif path.exists():
            result.files.append((path, display_path(path), True))
        elif path.is_symlink():
            result.errors.append(InputError(target, "broken symbolic link"))
        else:
            result.errors.append(InputError(target, "no such file or directory"))
    return result


def _walk_dir(root: Path, result: WalkResult) -> None:
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            st = directory.stat()
        except OSError as exc:
            result.skipped.append(f"{display_path(directory)}: {exc.strerror or exc}")
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            result.skipped.append(f"{display_path(directory)}: directory loop, not followed")
            continue
        seen.add(key)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            if directory == root:
                result.errors.append(
                    InputError(display_path(directory), f"cannot list: {exc.strerror or exc}")
                )
            else:
                result.skipped.append(f"{display_path(directory)}: {exc.strerror or exc}")
            continue
        subdirs: list[Path] = []
        for entry in entries:
            p = Path(entry.path)
            try:
                if entry.is_dir():
                    if entry.name not in SKIP_DIRS:
                        subdirs.append(p)
                    continue
                if entry.is_file():
                    result.files.append((p, display_path(p), False))
                elif entry.is_symlink():
                    result.skipped.append(f"{display_path(p)}: broken symbolic link")
            except OSError as exc:
                result.skipped.append(f"{display_path(p)}: {exc.strerror or exc}")
        stack.extend(reversed(subdirs))
