"""File modes set in a build, shared by DF015 (setuid/setgid bits) and DF016 (world-writable).

Modes come from ``chmod``, ``install -m``, ``mkdir -m`` in ``RUN`` and from ``COPY/ADD --chmod``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from hullcheck.models.dockerfile import Instruction
from hullcheck.models.shell import SimpleCommand
from hullcheck.rules.dockerfile._util import run_text, sources_and_dest

# Only RUNs that can set a mode are parsed: chmod, or install/mkdir with -m/--mode.
_PREFILTER = re.compile(r"chmod|\s-m\s*\S|\s-\w*m\s|--mode")
_NUMERIC = re.compile(r"^0?[0-7]{3,4}$")
_CLAUSE = re.compile(r"^([ugoa]*)([-+=])([rwxXst]*|[ugo])$")
_CHMOD_OPTIONS = frozenset({"-R", "-c", "-f", "-v", "-h", "-H", "-L", "-P", "--recursive",
                            "--changes", "--silent", "--quiet", "--verbose",
                            "--no-preserve-root", "--preserve-root"})


@dataclass(frozen=True, slots=True)
class ModeChange:
    setuid: bool  # adds the setuid bit
    setgid: bool  # adds the setgid bit
    world_writable: bool  # adds write for others
    sticky: bool  # sets the sticky bit (world-writable sticky dirs such as /tmp are fine)


def parse_mode(mode: str) -> ModeChange | None:
    """What a chmod mode adds; None when it is not a mode we understand (``$MODE``)."""
    if _NUMERIC.match(mode):
        digits = mode[-4:].rjust(4, "0")
        special, other = int(digits[0]), int(digits[3])
        return ModeChange(setuid=bool(special & 4), setgid=bool(special & 2),
                          world_writable=bool(other & 2), sticky=bool(special & 1))
    # Clauses apply in order, so a later one can take back what an earlier one gave:
    # ``a=rwx,o-w`` leaves others without write, ``u+s,u-s`` adds no setuid bit.
    setuid = setgid = world = sticky = False
    for clause in mode.split(","):
        m = _CLAUSE.match(clause)
        if m is None:
            return None
        who, op, perms = m.groups()
        everyone = who == "" or "a" in who
        user = everyone or "u" in who
        group = everyone or "g" in who
        # No "who" means "a" filtered by the umask: the usual 022 keeps write from others.
        others = (who != "" and "a" in who) or "o" in who
        if op == "=":  # "=" first clears what the clause's users had
            setuid = setuid and not user
            setgid = setgid and not group
            world = world and not others
            sticky = sticky and not (everyone or others)
        if op == "-":
            setuid = setuid and not (user and "s" in perms)
            setgid = setgid and not (group and "s" in perms)
            world = world and not (others and "w" in perms)
            sticky = sticky and "t" not in perms
            continue
        if "s" in perms:
            setuid |= user
            setgid |= group
        if "w" in perms and others:
            world = True
        if "t" in perms:
            sticky = True
    return ModeChange(setuid=setuid, setgid=setgid, world_writable=world, sticky=sticky)


def modes_in_command(cmd: SimpleCommand) -> list[tuple[str, list[str]]]:
    """(mode, paths) set by chmod / install -m / mkdir -m."""
    if cmd.name == "chmod":
        args = [a for a in cmd.args() if a not in _CHMOD_OPTIONS and not a.startswith("--")]
        if args:
            return [(args[0], args[1:])]
    elif cmd.name in ("install", "mkdir"):
        mode = cmd.option_value("-m", "--mode")
        if mode is not None:
            return [(mode, [a for a in cmd.args()[-1:] if not a.startswith("-")])]
    return []


def _made_directories(cmd: SimpleCommand) -> list[str]:
    """The directories ``mkdir`` or ``install -d`` makes (or finds already there)."""
    if cmd.name == "mkdir" or (cmd.name == "install" and (
            cmd.has_option("-d") or "--directory" in cmd.args())):
        args = cmd.args()
        out = []
        for i, word in enumerate(args):
            if word.startswith("-"):
                continue
            if i and args[i - 1] in ("-m", "--mode", "-o", "--owner", "-g", "--group"):
                continue  # an option's value
            out.append(word.rstrip("/"))
        return out
    return []


def _on_directories(cmd: SimpleCommand, paths: list[str], directories: set[str]) -> bool:
    """The mode lands on directories only: ``mkdir -m``/``install -d -m``, or a chmod (not
    recursive) of directories the same RUN made. A setgid bit on a directory only makes new
    files inherit its group (and Linux ignores setuid there): no privilege is gained."""
    if cmd.name == "mkdir" or cmd.name == "install":
        return bool(_made_directories(cmd))
    if cmd.name != "chmod" or not paths or cmd.has_option("-R", "--recursive"):
        return False
    return all(p.rstrip("/") in directories for p in paths)


class _LastModes:
    """DF015 and DF016 judge the same instruction one after the other: the second reuses the
    modes the first found. Keyed by identity, holding the instruction so the id stays its."""

    instruction: Instruction | None = None
    modes: list[SetMode] = []


def modes(ins: Instruction) -> list[SetMode]:
    if _LastModes.instruction is not ins:
        _LastModes.modes = modes_in_instruction(ins)
        _LastModes.instruction = ins
    return _LastModes.modes


class SetMode(NamedTuple):
    mode: str
    paths: list[str]
    directories: bool  # the paths are directories (made by the same RUN)
    removed: bool  # the same RUN removes the paths again: they never reach a layer


def modes_in_instruction(ins: Instruction) -> list[SetMode]:
    """The modes a COPY, ADD or RUN sets (the kinds DF015 and DF016 are called for), with what is
    known of the paths they land on."""
    if ins.cmd in ("COPY", "ADD"):
        mode = ins.flag("chmod")
        if mode:
            return [SetMode(mode, [sources_and_dest(ins)[1]], False, False)]
        return []
    if not _PREFILTER.search(run_text(ins)) or ins.shell is None:
        return []
    out = []
    directories: set[str] = set()
    commands = [cmd.unwrapped() for cmd in ins.shell.commands]
    for i, inner in enumerate(commands):
        for mode, paths in modes_in_command(inner):
            out.append(SetMode(mode, paths, _on_directories(inner, paths, directories),
                               _removed_later(paths, commands[i + 1:])))
        directories.update(_made_directories(inner))
    return out


def _removed_later(paths: list[str], later: list[SimpleCommand]) -> bool:
    """Every path is deleted by a later ``rm -r`` of it or of a directory above it (the
    ``tempDir="$(mktemp -d)" && chmod 777 "$tempDir" ... rm -rf "$tempDir"`` pattern)."""
    if not paths:
        return False
    removed = [a.rstrip("/") for cmd in later if cmd.name == "rm"
               for a in cmd.args() if not a.startswith("-")]
    if not removed:
        return False
    return all(any(p.rstrip("/") == r or p.startswith(r + "/") for r in removed if r)
               for p in paths)
