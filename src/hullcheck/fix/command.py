"""``hullcheck fix``: apply the declared fixes of the selected, unsuppressed findings of a scan.

The scan is ``hullcheck scan``'s, selection, suppressions and baseline included (the CLI runs it
and hands the report here). What may be written is decided here alone:

- only files the walk of the given paths found (never stdin, never a rendered Helm chart or
  kustomization: their findings point at generated objects), never through a symbolic link;
- each file is read once, bounded (``sources.read_regular``), edited in memory by every fix of
  its findings, and written back atomically: a temporary file in the same directory, given the
  original's mode (and owner, where allowed), then renamed over it, and only if the file is
  still the one that was read;
- ``--diff`` writes nothing and prints a unified diff instead.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import importlib
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hullcheck.findings import Finding, InputError
from hullcheck.fix import Fix, platform_of
from hullcheck.safe_text import terminal

if TYPE_CHECKING:
    from hullcheck.config import Config
    from hullcheck.findings import Report
    from hullcheck.rules.base import Rule

# Findings of these units point at objects a tool generated, not at text in the named file.
RENDERED_UNITS = frozenset({"helm", "kustomize"})


@dataclass
class Outcome:
    finding: Finding
    fix: Fix | None
    status: str  # fixed | unsafe | refused | none
    note: str = ""


@dataclass
class FileResult:
    path: str
    outcomes: list[Outcome] = field(default_factory=list)
    before: str = ""
    after: str = ""
    error: str | None = None
    new: str | None = None  # a file to create (its file system path), not one to edit


def fixes_of(rule: type[Rule], platform: str) -> Fix | None:
    return next((f for f in rule.autofixes if f.platform == platform), None)


def _edit_function(fix: Fix) -> Callable[[Any, Finding], Any]:
    """The edit: ``(open file, finding) -> None``; for a ``new_file`` fix, ``(None, finding) ->
    (file name, text)``."""
    module, _, name = fix.edit.partition(":")
    fn: Callable[[Any, Finding], Any] = getattr(importlib.import_module(module), name)
    return fn


def writable_files(paths: list[str]) -> tuple[dict[str, str], set[str]]:
    """display path -> file system path of every file the walk of ``paths`` finds that is no
    symbolic link and lies (resolved) inside what was named; and the display paths of those
    found by walking a directory named (beside which a fix may create a file)."""
    from hullcheck.sources import inside, walk

    walked = walk([p for p in paths if p != "-"])
    roots = [os.path.realpath(p) for p in paths if p != "-"]
    allowed: dict[str, str] = {}
    in_walked_dir: set[str] = set()
    named = {os.path.normpath(p) for p in paths if p != "-"}
    for fs_path, display, _explicit, root in walked.files:
        if os.path.islink(fs_path) or _through_link(fs_path, named):
            continue  # never written through: it may lead anywhere
        real = os.path.realpath(fs_path)
        if any(real == r or inside(real, r) for r in roots):
            allowed[display] = fs_path
            if root is not None and not os.path.islink(os.path.dirname(fs_path) or "."):
                in_walked_dir.add(display)
    return allowed, in_walked_dir


def _through_link(fs_path: str, named: set[str]) -> bool:
    """Whether a directory between a path named on the command line and ``fs_path`` is a
    symbolic link (the walk follows links that stay inside the directory named; fix does not
    write through them: the file is fixed under its own path, if that was walked)."""
    parent = os.path.dirname(os.path.normpath(fs_path))
    for _ in range(4096):  # a path has fewer components than this
        if not parent or parent in named or parent == os.path.dirname(parent):
            return False
        if os.path.islink(parent):
            return True
        parent = os.path.dirname(parent)
    return True


def run(args: argparse.Namespace, report: Report, cfg: Config) -> int:
    """Apply (or with --diff, show) the fixes; print what happened; return the exit code."""
    from hullcheck.rules import rules_by_id

    by_id = rules_by_id()
    allowed, in_walked_dir = writable_files(args.paths)
    per_file: dict[str, list[Finding]] = {}
    new_files: list[tuple[Finding, Fix]] = []
    left: list[Outcome] = []
    for f in report.findings:
        if f.suppressed is not None:
            continue  # accepted by a suppression or the baseline: never "fixed" behind its back
        loc = f.location
        rule = by_id.get(f.rule)
        fix = fixes_of(rule, platform_of(loc.path or "", bool(loc.object), bool(loc.container))
                       ) if rule is not None else None
        if fix is None:
            left.append(Outcome(f, None, "none"))
        elif (loc.unit is not None and loc.unit.kind in RENDERED_UNITS) or loc.path not in allowed:
            left.append(Outcome(f, fix, "refused", "not a file given or walked (stdin or "
                                "rendered output)"))
        elif fix.new_file:
            new_files.append((f, fix))
        else:
            per_file.setdefault(loc.path, []).append(f)

    from hullcheck.fix import digests

    registry = None
    if getattr(args, "registry_digests", False):
        from hullcheck.trust.registry import DEFAULT_DEADLINE, RegistryOptions

        registry = RegistryOptions(insecure=frozenset(args.insecure_registry or ()),
                                   deadline=args.registry_timeout or DEFAULT_DEADLINE)
    # one engine connection, one registry setup and one answer per image name for the run
    digests.ENGINE = digests.EngineDigests(registry=registry)
    try:
        results = [fix_file(path, allowed[path], findings, by_id, args.unsafe_fixes)
                   for path, findings in sorted(per_file.items())]
    finally:
        digests.ENGINE.close()
    results += create_files(new_files, allowed, in_walked_dir, args.unsafe_fixes)
    errors = [InputError(r.path, r.error) for r in results if r.error]
    if not args.diff:
        for r in results:
            if r.error is None and r.after != r.before:
                try:
                    if r.new is not None:
                        write_new(r.new, r.after)
                    else:
                        write_atomic(allowed[r.path], r.before, r.after)
                except ValueError as exc:
                    errors.append(InputError(r.path, str(exc)))
                    for o in r.outcomes:
                        if o.status == "fixed":
                            o.status, o.note = "refused", str(exc)
    return report_outcomes(args, report, cfg, results, left, errors)


def fix_file(path: str, fs_path: str, findings: list[Finding], by_id: dict[str, type[Rule]],
             unsafe_ok: bool) -> FileResult:
    from hullcheck.fix.yamledit import MAX_FIX_YAML_BYTES, EditRefused, Refused
    from hullcheck.inputs.dockerfile import MAX_DOCKERFILE_BYTES
    from hullcheck.sources import read_regular

    result = FileResult(path)
    platform = platform_of(path, bool(findings[0].location.object),
                           bool(findings[0].location.container))
    limit = MAX_DOCKERFILE_BYTES if platform == "dockerfile" else MAX_FIX_YAML_BYTES
    try:
        # Not through a link, whatever the walk allowed for reading.
        if os.path.islink(fs_path):
            raise ValueError(f"{path}: a symbolic link; never written through")
        data = read_regular(fs_path, path, limit)
    except ValueError as exc:
        why = str(exc).split(": ", 1)[-1]
        if "too large" in why or "symbolic link" in why:  # left for a human, not an error
            result.outcomes = [Outcome(f, None, "refused", why) for f in findings]
        else:
            result.error = why
        return result
    try:
        doc = _open(platform, path, data)
    except Refused as exc:  # this file is left for a human; the rest of the run goes on
        result.outcomes = [Outcome(f, None, "refused", str(exc)) for f in findings]
        return result
    result.before = doc.original
    for f in sorted(findings, key=lambda f: f.sort_key()):
        rule = by_id[f.rule]
        fix = fixes_of(rule, platform_of(path, bool(f.location.object),
                                         bool(f.location.container)))
        assert fix is not None
        if fix.unsafe and not unsafe_ok:
            result.outcomes.append(Outcome(f, fix, "unsafe"))
            continue
        try:
            _edit_function(fix)(doc, f)
        except (EditRefused, Refused) as exc:
            result.outcomes.append(Outcome(f, fix, "refused", str(exc)))
        else:
            result.outcomes.append(Outcome(f, fix, "fixed"))
    try:
        result.after = doc.render()
    except Refused as exc:
        result.after = result.before
        for o in result.outcomes:
            if o.status == "fixed":
                o.status, o.note = "refused", str(exc)
    return result


def create_files(wanted: list[tuple[Finding, Fix]], allowed: dict[str, str],
                 in_walked_dir: set[str], unsafe_ok: bool) -> list[FileResult]:
    """The files fixes create beside their finding's file: one per name, never over a file that
    exists, only in a directory named on the command line (walked)."""
    from hullcheck.fix.yamledit import EditRefused

    results: dict[str, FileResult] = {}
    for f, fix in sorted(wanted, key=lambda w: w[0].sort_key()):
        path = f.location.path or ""
        if fix.unsafe and not unsafe_ok:
            outcome = Outcome(f, fix, "unsafe")
        elif path not in in_walked_dir:
            outcome = Outcome(f, fix, "refused", "a new file is written only into a directory "
                              "named on the command line")
        else:
            try:
                name, text = _edit_function(fix)(None, f)
            except EditRefused as exc:
                outcome = Outcome(f, fix, "refused", str(exc))
            else:
                display = os.path.join(os.path.dirname(path), name)
                fs_new = os.path.join(os.path.dirname(allowed[path]), name)
                r = results.get(display)
                if r is None and os.path.lexists(fs_new):
                    outcome = Outcome(f, fix, "refused", f"{display} exists; never overwritten")
                else:
                    if r is None:
                        r = results[display] = FileResult(display, new=fs_new, after=text)
                    r.outcomes.append(Outcome(f, fix, "fixed"))
                    continue
        # not written: reported under the finding's own file
        results.setdefault(path + "\0", FileResult(path)).outcomes.append(outcome)
    return list(results.values())


def write_new(fs_path: str, text: str) -> None:
    """Create ``fs_path`` holding ``text``, atomically and never over anything: the text is
    written to a temporary file in the same directory, then hard-linked to its name (which fails
    if the name exists, a link included)."""
    directory = os.path.dirname(fs_path) or "."
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(fs_path) + ".",
                               suffix=".hullcheck", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(text.encode("utf-8"))
            os.fchmod(out.fileno(), 0o644)
            out.flush()
            os.fsync(out.fileno())
        os.link(tmp, fs_path)
    except FileExistsError:
        raise ValueError(f"{os.path.basename(fs_path)} appeared meanwhile; never overwritten"
                         ) from None
    except OSError as exc:
        raise ValueError(f"cannot write: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _open(platform: str, path: str, data: bytes) -> Any:
    if platform == "dockerfile":
        from hullcheck.fix.dockerfile import DockerfileText

        return DockerfileText.parse(path, data)
    from hullcheck.fix.yamledit import Refused, YamlFile

    if path.lower().endswith(".json") or data.lstrip()[:1] in (b"{", b"["):
        raise Refused("JSON manifests are not edited (a YAML round trip would reformat them)")
    return YamlFile.parse(path, data)


def write_atomic(fs_path: str, before: str, after: str) -> None:
    """Replace ``fs_path`` by ``after`` if it still holds ``before``: a temporary file in the
    same directory with the original's mode, renamed over it. Raises ValueError (one line)."""
    try:
        st = os.lstat(fs_path)
    except OSError as exc:
        raise ValueError(f"cannot write: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ValueError("not a regular file any more (a link was put in its place?)")
    if st.st_size > len(before.encode("utf-8")) + 3:  # (+ a BOM) grown since it was read
        raise ValueError("changed while hullcheck was fixing it; nothing written")
    try:
        with open(fs_path, "rb") as fh:  # newline-exact comparison with what was edited
            current = fh.read(st.st_size + 1)
    except OSError as exc:
        raise ValueError(f"cannot read back: {exc.strerror or exc}") from None
    bom = current.startswith(b"\xef\xbb\xbf")
    if current[3 if bom else 0:].decode("utf-8", "replace") != before:
        raise ValueError("changed while hullcheck was fixing it; nothing written")
    directory = os.path.dirname(fs_path) or "."
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(fs_path) + ".", suffix=".hullcheck",
                               dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write((b"\xef\xbb\xbf" if bom else b"") + after.encode("utf-8"))
            out.flush()
            os.fchmod(out.fileno(), stat.S_IMODE(st.st_mode))
            with contextlib.suppress(OSError):  # only root may give a file away
                os.fchown(out.fileno(), st.st_uid, st.st_gid)
            os.fsync(out.fileno())
        os.replace(tmp, fs_path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ValueError(f"cannot write: {exc.strerror or exc}") from None


class _LocalMatcher(difflib.SequenceMatcher[str]):
    """difflib's hunk grouping over hullcheck's linear line alignment: difflib's own matcher
    is quadratic on the repeated lines of a large manifest stream."""

    def __init__(self, a: list[str], b: list[str]) -> None:
        super().__init__(None, a, b, autojunk=False)
        self.lines = (a, b)

    def get_opcodes(self) -> Any:
        from hullcheck.fix.yamledit import _blocks, _opcodes

        return _opcodes(_blocks(*self.lines))


def unified_diff(a: list[str], b: list[str], fromfile: str, tofile: str) -> str:
    """A unified diff (three lines of context), as ``difflib.unified_diff`` writes it."""
    def span(start: int, stop: int) -> str:
        length = stop - start
        beginning = start + 1 if length else start
        return f"{beginning}" if length == 1 else f"{beginning},{length}"

    out = [f"--- {fromfile}\n", f"+++ {tofile}\n"]
    for group in _LocalMatcher(a, b).get_grouped_opcodes(3):
        first, last = group[0], group[-1]
        out.append(f"@@ -{span(first[1], last[2])} +{span(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [" " + line for line in a[i1:i2]]
                continue
            out += ["-" + line for line in a[i1:i2]]
            out += ["+" + line for line in b[j1:j2]]
    # a last line without its newline, as diff marks it
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in out)


def report_outcomes(args: argparse.Namespace, report: Report, cfg: Config,
                    results: list[FileResult], left: list[Outcome], errors: list[InputError]
                    ) -> int:
    outcomes = [o for r in results for o in r.outcomes]
    diff = ""
    if args.diff:
        for r in results:
            if r.error is None and r.after != r.before:
                diff += unified_diff(r.before.splitlines(keepends=True),
                                     r.after.splitlines(keepends=True),
                                     "/dev/null" if r.new else f"a/{r.path}", f"b/{r.path}")
        # Each line shown safely (a scanned file can hold terminal escapes), its ending kept.
        sys.stdout.write("".join(terminal(line.rstrip("\r\n")) + line[len(line.rstrip("\r\n")):]
                                 for line in diff.splitlines(keepends=True)))
    notes = sys.stderr if args.diff else sys.stdout
    verb = "would be fixed" if args.diff else "fixed"
    lines: list[str] = []
    for o in sorted(outcomes, key=lambda o: o.finding.sort_key()):
        where = f"{o.finding.location.path}:{o.finding.location.line}: {o.finding.rule}"
        assert o.fix is not None or o.status == "refused"
        if o.status == "fixed" and o.fix is not None:
            lines.append(f"{where}: {verb}: {o.fix.summary}")
            if o.fix.unsafe:
                lines.append(f"{where}:   verify: {o.fix.verify}")
        elif o.status == "unsafe" and o.fix is not None:
            lines.append(f"{where}: unsafe fix not applied (--unsafe-fixes): {o.fix.summary}")
        else:
            lines.append(f"{where}: not fixed: {o.note}")
    lines += [f"{o.finding.location.path}:{o.finding.location.line}: {o.finding.rule}: not "
              f"fixed: {o.note}" for o in left if o.status == "refused"]
    fixed = [o for o in outcomes if o.status == "fixed"]
    unsafe = sum(1 for o in outcomes if o.status == "unsafe")
    remaining = [o.finding for o in outcomes if o.status != "fixed"] + [o.finding for o in left]
    files = sum(1 for r in results if r.error is None and r.after != r.before)
    lines.append(f"{len(fixed)} finding(s) {verb} in {files} file(s); {len(remaining)} left"
                 + (f" ({unsafe} with an unsafe fix: --unsafe-fixes)" if unsafe else "")
                 + " (hullcheck scan lists them)" * bool(remaining))
    notes.write("".join(terminal(line) + "\n" for line in lines))
    for err in [*report.errors, *errors]:
        sys.stderr.write(f"hullcheck: error: {terminal(err.path)}: {terminal(err.message)}\n")
    for w in report.warnings:
        sys.stderr.write(f"hullcheck: warning: {terminal(w)}\n")
    if report.errors or errors:
        return 2
    if args.diff and diff:
        return 1  # ruff's convention: a pending change fails a --diff check
    if cfg.fail_on is not None and any(f.severity >= cfg.fail_on for f in remaining):
        return 1
    return 0
