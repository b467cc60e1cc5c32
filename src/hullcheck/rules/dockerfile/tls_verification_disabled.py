"""TLS certificate verification turned off (DF012)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.models.shell import SimpleCommand
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import (
    RPM_FAMILY,
    DockerfileRule,
    Keywords,
    env_pairs,
    judged,
    run_text,
)
from hullcheck.rules.dockerfile._writes import FileWrite, copied_heredocs, shell_writes

_FALSE = frozenset({"false", "0", "no", "off"})

# Environment variables that turn TLS verification off, and the values that do it.
TLS_ENV: dict[str, frozenset[str]] = {
    "NODE_TLS_REJECT_UNAUTHORIZED": frozenset({"0"}),
    "PYTHONHTTPSVERIFY": frozenset({"0"}),
    "GIT_SSL_NO_VERIFY": frozenset({"1", "true", "yes"}),
    "NPM_CONFIG_STRICT_SSL": _FALSE,
    "YARN_STRICT_SSL": _FALSE,
    "PIP_TRUSTED_HOST": frozenset(),  # any value
    "GOINSECURE": frozenset(),
    "CONDA_SSL_VERIFY": _FALSE,
}
_TLS_PREFILTER = Keywords(
    ("insecure", "no-check-certificate", "trusted-host", "strict-ssl", "sslverify",
     "NODE_TLS_REJECT_UNAUTHORIZED", "PYTHONHTTPSVERIFY", "GIT_SSL_NO_VERIFY", "Verify-Peer",
     "Verify-Host", "TRUSTED_HOST", "STRICT_SSL", "GOINSECURE", "ssl_verify",
     "check_certificate"),
    pattern=r"\s-[a-zA-Z]*k",  # curl -k, -sSk...
)
_ENV_ASSIGN = re.compile(r"(?<![\w$])(" + "|".join(TLS_ENV) + r")=(['\"]?)([^\s'\";&|]*)\2")
# yum/dnf: ``sslverify=0`` in their configuration or repository files, or ``--setopt``.
_RPM_SSLVERIFY_OFF = re.compile(r"^\s*sslverify\s*=\s*(0|false|no|off)\s*$",
                                re.IGNORECASE | re.MULTILINE)
_SETOPT_SSLVERIFY_OFF = re.compile(r"^(?:[\w.*-]+\.)?sslverify=(0|false|no|off)$", re.IGNORECASE)
# curl and wget read these at every run: ``insecure`` / ``check_certificate = off`` there turns
# verification off for every later download.
_CURLRC_INSECURE = re.compile(r"^\s*(-k|--insecure|insecure)\s*$", re.MULTILINE)
_WGETRC_NO_CHECK = re.compile(r"^\s*check_certificate\s*=\s*(off|0|no|false)\s*$",
                              re.IGNORECASE | re.MULTILINE)
_APT_TLS = re.compile(r"Acquire::https?::(Verify-Peer|Verify-Host)\s*[= ]\s*\"?(false|0)",
                      re.IGNORECASE)


def _env_disables(name: str, value: str) -> bool:
    values = TLS_ENV.get(name.upper())
    if values is None:
        return False
    return bool(value) and (not values or value.lower() in values)


def _config_set(cmd: SimpleCommand, key: str) -> str | None:
    """``npm config set strict-ssl false`` / ``strict-ssl=false`` -> "false" (also ``npm set``,
    npm's alias of ``npm config set``)."""
    args = cmd.args()
    start = 2 if args[:2] == ["config", "set"] else 1 if args[:1] == ["set"] else 0
    if start:
        rest = [a for a in args[start:] if not a.startswith("-")]
        for i, word in enumerate(rest):
            if word == key and i + 1 < len(rest):
                return rest[i + 1]
            if word.startswith(key + "="):
                return word[len(key) + 1 :]
    return None


def _rpm_config_file(path: str) -> bool:
    return path in ("/etc/yum.conf", "/etc/dnf/dnf.conf") or \
        path.startswith(("/etc/yum.repos.d/", "/etc/yum/", "/etc/dnf/"))


def written_tls_bypasses(writes: list[FileWrite]) -> list[str]:
    """TLS checks turned off by what is written into yum/dnf, curl or wget configuration."""
    out: list[str] = []
    for write in writes:
        base = write.path.rsplit("/", 1)[-1]
        if _rpm_config_file(write.path) and _RPM_SSLVERIFY_OFF.search(write.content):
            out.append(f"sslverify off in {write.path}")
        elif base in (".curlrc", "curlrc") and _CURLRC_INSECURE.search(write.content):
            out.append(f"insecure in {write.path}")
        elif base in (".wgetrc", "wgetrc") and _WGETRC_NO_CHECK.search(write.content):
            out.append(f"check_certificate off in {write.path}")
    return out


def tls_bypasses(cmd: SimpleCommand) -> list[str]:
    name = cmd.name.removesuffix(".exe")
    out: list[str] = []
    if name == "curl" and cmd.has_option("-k", "--insecure"):
        out.append("curl --insecure")
    elif name == "wget" and cmd.has_option("--no-check-certificate"):
        out.append("wget --no-check-certificate")
    elif (name.startswith(("pip", "python")) or name in ("uv", "pipenv", "poetry")) and \
            cmd.has_option("--trusted-host"):
        out.append(f"{name} --trusted-host")
    elif name in ("pip", "pip3") and cmd.args()[:2] == ["config", "set"] and any(
            "trusted-host" in a for a in cmd.args()):
        out.append("pip config set trusted-host")
    elif name in ("npm", "yarn", "pnpm"):
        value = _config_set(cmd, "strict-ssl")
        if (value is not None and value.lower() in _FALSE) or any(
                w in ("--strict-ssl=false", "--no-strict-ssl") for w in cmd.args()):
            out.append(f"{name} strict-ssl false")
    elif name in ("conda", "mamba", "micromamba"):
        words = cmd.args()
        for i, word in enumerate(words[:-1]):
            if word in ("--set", "set") and words[i + 1] == "ssl_verify" and i + 2 < len(words) \
                    and words[i + 2].lower() in _FALSE:
                out.append(f"{name} config ssl_verify false")
    elif name in RPM_FAMILY:
        for value in cmd.args():
            if value.startswith("--setopt=") and \
                    _SETOPT_SSLVERIFY_OFF.match(value.partition("=")[2]):
                out.append(f"{name} --setopt sslverify off")
    elif name == "git":
        words = cmd.words
        for i, word in enumerate(words):
            if word == "-c" and i + 1 < len(words):
                key, _, value = words[i + 1].partition("=")
                if key.lower() == "http.sslverify" and value.lower() in _FALSE:
                    out.append("git -c http.sslVerify=false")
            elif word.lower() == "http.sslverify" and i + 1 < len(words) \
                    and "config" in words[1:i] and words[i + 1].lower() in _FALSE:
                out.append("git config http.sslVerify false")
    for assignment in cmd.assignments:
        name_, _, value = assignment.partition("=")
        if _env_disables(name_, value.strip("'\"")):
            out.append(f"{name_}={value}")
    return out


class TlsVerificationDisabled(DockerfileRule):
    """
    ## What it finds
    TLS certificate verification turned off in a build or for the container:
    `curl -k`/`--insecure`, `wget --no-check-certificate`, `pip --trusted-host`,
    `npm`/`yarn config set strict-ssl false`, `git -c http.sslVerify=false`,
    `git config http.sslVerify false`, `conda config --set ssl_verify false`,
    `dnf --setopt=sslverify=0`, apt's `Acquire::https::Verify-Peer "false"`; `sslverify=0`
    written into yum/dnf configuration or repository files, `insecure` into a `.curlrc`,
    `check_certificate = off` into a `.wgetrc` (by `echo`/`printf`/`cat <<EOF` redirected or
    piped into `tee`, `sed -i`, `COPY <<EOF`); and the variables
    `NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`, `GIT_SSL_NO_VERIFY=1`,
    `NPM_CONFIG_STRICT_SSL=false`, `CONDA_SSL_VERIFY=false`, `PIP_TRUSTED_HOST`, `GOINSECURE`
    in `ENV`, `ARG` or `RUN`.

    ## Why it matters
    Without certificate checks anyone on the network path (a proxy, a compromised resolver, a
    hostile Wi-Fi in CI) can serve the download: the image installs their code. Set in `ENV`, the
    running container also talks to every service without verifying it. CIS Docker Benchmark
    4.11.

    ## How to fix
    Fix the trust store instead: add your internal CA to the image (`COPY ca.crt
    /usr/local/share/ca-certificates/` and `update-ca-certificates`) or point the tool to it.

    Before: `RUN curl -k https://internal.example/tool -o /usr/local/bin/tool`
    After: `RUN curl --cacert /etc/ssl/internal-ca.crt https://internal.example/tool -o ...`

    ## References
    - CIS Docker Benchmark 1.6, 4.11 "Ensure only verified packages are installed"
    """

    id = "DF012"
    name = "tls-verification-disabled"
    title = "TLS certificate verification turned off"
    severity = Severity.HIGH
    references = ("cis-docker-1.6:4.11",)
    fix = "Keep TLS verification on; add the internal CA to the trust store instead."
    instructions = frozenset({"ENV", "ARG", "RUN", "COPY", "ADD"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        if ins.cmd in ("COPY", "ADD") and not ins.heredocs:
            return
        found: list[str] = []
        if ins.cmd in ("ENV", "ARG"):
            for name, value in env_pairs(ins):
                if value is not None and _env_disables(name, value):
                    found.append(f"{ins.cmd} {name}={value}")
        elif ins.cmd == "RUN":
            text = run_text(ins)
            if not _TLS_PREFILTER.search(text) or ins.shell is None:
                return
            for cmd in ins.shell.commands:
                found.extend(tls_bypasses(cmd.unwrapped()))
            # `export VAR=0` and config files written by echo: judged on the text.
            found.extend(f"{m.group(1)}={m.group(3)}" for m in _ENV_ASSIGN.finditer(text)
                         if _env_disables(m.group(1), m.group(3)))
            found.extend(f"apt {m.group(1)} false" for m in _APT_TLS.finditer(text))
            found.extend(written_tls_bypasses(shell_writes(ins)))
        else:  # COPY/ADD with heredocs
            found.extend(written_tls_bypasses(copied_heredocs(ins)))
        for what in dict.fromkeys(found):
            yield self.finding(
                dockerfile.location(instruction.line, instruction.end_line),
                f"TLS verification is turned off ({what}).",
                evidence=what,
            )
