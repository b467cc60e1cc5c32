"""Running a renderer (``helm template``, ``kustomize build``, ``kubectl kustomize``) over a
scanned repository, bounded.

The repository is a stranger's: the renderer runs with a minimal environment (no credentials or
tokens of the user's pass through; ``HOME`` and helm's and kubectl's directories are an empty
temporary directory, so no user helm repositories, plugins or kubeconfig are read; every proxy
variable points at a closed loopback port, so a fetch the checks before the run missed fails
instead of reaching the network), in its own session so that whatever it starts goes with it,
within a deadline, and its output is refused past a size. The caller checks the input before the
run (remote entries, links leading out of the scanned directory) and never passes the flags that
run code from the repository (``--enable-helm``, ``--enable-exec``, ``--enable-alpha-plugins``,
helm's ``--post-renderer``).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

# How long one render may run, how much it may print and how many documents it may hold: a
# real chart or kustomization renders in well under a second into far less; a hostile one
# (a template looping a million times) is stopped here and the unit skipped with the reason.
MAX_RENDER_SECONDS = 60.0
MAX_RENDER_BYTES = 64 * 1024 * 1024
MAX_RENDER_DOCUMENTS = 10_000
# All rendering of one scan: at most this many renderer runs and this much time in total (a
# repository of a thousand charts each running into the deadline must not hold a CI job for
# hours); past either, the remaining charts are skipped and kustomizations judged natively.
MAX_RENDERS = 1_000
MAX_RENDER_TOTAL_SECONDS = 600.0
# How many entries of a chart's or kustomization's directory are checked for symbolic links
# leading out of the scanned directory; a larger tree is not rendered.
MAX_RENDER_TREE_ENTRIES = 10_000
# What is kept of a renderer's stderr for its message (the rest is read and dropped).
MAX_RENDER_STDERR = 64 * 1024
# The environment variables passed through, by name: where programs are and how text is
# encoded. Nothing else (no tokens, no cloud or registry credentials, no KUBECONFIG).
_PASSED = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ")
# A port nothing listens on: a proxied fetch fails at once (the discard port, loopback only).
_NO_NETWORK = "http://127.0.0.1:9"


class RenderFailed(Exception):
    """The renderer could not render: its own message (one line), or why it was stopped."""


@dataclass
class Rendered:
    text: str


class Budget:
    """What is left of one scan's rendering (``MAX_RENDERS``, ``MAX_RENDER_TOTAL_SECONDS``)."""

    def __init__(self) -> None:
        self.renders, self.seconds = MAX_RENDERS, MAX_RENDER_TOTAL_SECONDS
        self.left = self.renders
        self.ends = time.monotonic() + self.seconds

    def take(self) -> float:
        """The deadline of one more render; ``RenderFailed`` when the budget is spent."""
        remaining = self.ends - time.monotonic()
        if self.left <= 0 or remaining <= 0:
            raise RenderFailed(f"this scan's rendering budget ({self.renders:,} renders, "
                               f"{self.seconds:g} s) is spent: not rendered")
        self.left -= 1
        return min(MAX_RENDER_SECONDS, remaining)


def _environment(home: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in _PASSED if name in os.environ}
    env.update({
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, "config"),
        "XDG_CACHE_HOME": os.path.join(home, "cache"),
        "XDG_DATA_HOME": os.path.join(home, "data"),
        "HELM_CONFIG_HOME": os.path.join(home, "helm-config"),
        "HELM_CACHE_HOME": os.path.join(home, "helm-cache"),
        "HELM_DATA_HOME": os.path.join(home, "helm-data"),
        "HELM_PLUGINS": os.path.join(home, "helm-plugins"),
        "KUBECONFIG": os.path.join(home, "kubeconfig"),
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_PROXY": "",
        "no_proxy": "",
    })
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        env[name] = _NO_NETWORK
    return env


def run(argv: list[str], cwd: str, timeout: float = MAX_RENDER_SECONDS,
        max_bytes: int = MAX_RENDER_BYTES) -> Rendered:
    """Run ``argv`` in ``cwd``; its stdout as text, or ``RenderFailed`` with the renderer's
    last stderr line (its message), or why it was stopped."""
    # Imported here: a scan without a chart or kustomization runs no program, and these
    # (subprocess, selectors, tempfile) cost a small manifest scan's start-up.
    import tempfile

    from hullcheck.bounded_process import OutputTooLong, TimedOut, run_bounded

    name = os.path.basename(argv[0])
    with tempfile.TemporaryDirectory(prefix="hullcheck-render-") as home:
        try:
            code, out, err = run_bounded(argv, cwd=cwd, env=_environment(home), timeout=timeout,
                                         max_stdout=max_bytes, max_stderr=MAX_RENDER_STDERR)
        except TimedOut:
            raise RenderFailed(f"{name} did not finish within {timeout:g} s: stopped") from None
        except OutputTooLong:
            raise RenderFailed(f"{name} printed more than {max_bytes >> 20} MiB: "
                               "stopped") from None
        except OSError as exc:
            raise RenderFailed(f"{name} could not be run "
                               f"({exc.strerror or exc.__class__.__name__})") from None
    if code != 0:
        lines = [line.strip() for line in err.decode("utf-8", "replace").splitlines()
                 if line.strip()]
        message = lines[-1] if lines else f"{name} failed (exit status {code})"
        # "Error: ..." (helm, kustomize): the message is what follows.
        message = message.removeprefix("Error: ").removeprefix("error: ")
        raise RenderFailed(message)
    try:
        return Rendered(out.decode("utf-8"))
    except UnicodeDecodeError:
        raise RenderFailed(f"{name} printed something that is not UTF-8 text") from None


def which(program: str) -> str | None:
    """``program`` on PATH (resolved by the caller's PATH, as a shell would)."""
    import shutil

    return shutil.which(program)


def links_out(directory: str, root: str, limit: int = MAX_RENDER_TREE_ENTRIES) -> str | None:
    """Why the tree at ``directory`` must not be handed to a renderer, or None: the first
    symbolic link under it whose target is outside ``root`` (both resolved), or more than
    ``limit`` entries to check. A renderer reads the directory itself, not the files the walk
    read, and helm follows links: a link out of the scanned tree (``values.yaml ->
    ~/.kube/config``) must never be rendered into the output. Directories are not followed
    through links; the directories a walk skips (``.git``, ``node_modules``...) are not looked
    into (an entry naming one is refused by the caller)."""
    from hullcheck.sources import SKIP_DIRS, inside

    seen = 0
    for top, dirs, files in os.walk(directory, followlinks=False):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS or os.path.islink(os.path.join(top, d))]
        for name in dirs + files:
            seen += 1
            if seen > limit:
                return (f"{directory}: more than {limit:,} files and directories to check for "
                        "links leading out of the scanned directory")
            path = os.path.join(top, name)
            if os.path.islink(path) and not inside(os.path.realpath(path), root):
                return f"{path}: a symbolic link leading out of the scanned directory"
    return None
