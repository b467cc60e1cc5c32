from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.models.shell import split_words
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._images import image_of
from hullcheck.rules.dockerfile._util import DockerfileRule, stage_chain


def effective_healthcheck(stage: Stage) -> Instruction | None:
    """The HEALTHCHECK a stage ends up with, following ``FROM <stage>`` back through earlier
    stages (the image config, health check included, is inherited)."""
    current: Stage | None = stage
    while current is not None:
        checks = [i for i in current.instructions if i.cmd == "HEALTHCHECK"]
        if checks:
            return checks[-1]
        current = current.base_stage
    return None


# Programs that serve: a HEALTHCHECK has something to probe. (`*-server`, `*-foreground` too.)
SERVER_PROGRAMS = frozenset({
    "nginx", "httpd", "apache2", "apachectl", "lighttpd", "caddy", "traefik", "haproxy",
    "envoy", "varnishd", "squid", "redis-server", "valkey-server", "mongod", "mongos",
    "postgres", "mysqld", "mariadbd", "mysqld_safe", "memcached", "rabbitmq-server",
    "elasticsearch", "kibana", "grafana-server", "prometheus", "alertmanager", "consul",
    "vault", "etcd", "minio", "nats-server", "php-fpm", "gunicorn", "uvicorn", "hypercorn",
    "daphne", "waitress-serve", "uwsgi", "puma", "unicorn", "passenger", "catalina.sh",
    "sshd", "named", "dnsmasq", "coredns", "supervisord", "jupyter", "jupyter-lab",
    "http-server", "gitea", "registry", "kong", "keycloak", "nextcloud", "zookeeper",
    "kafka-server-start.sh", "influxd", "telegraf", "cassandra", "couchdb", "neo4j",
})
# Images whose default command serves (when the Dockerfile sets none of its own).
SERVER_IMAGES = frozenset({
    "nginx", "httpd", "caddy", "traefik", "haproxy", "redis", "valkey", "mongo", "postgres",
    "mysql", "mariadb", "memcached", "rabbitmq", "elasticsearch", "kibana", "grafana",
    "prometheus", "consul", "vault", "minio", "nats", "tomcat", "jetty", "wordpress",
    "nextcloud", "drupal", "joomla", "ghost", "registry", "keycloak", "cassandra", "couchdb",
    "neo4j", "influxdb", "zookeeper", "kong", "unit", "openresty", "php-fpm",
})
# Programs that are no service: shells, REPLs, language tools, command-line tools and desktop
# applications. Without EXPOSE, an image that runs one of them has nothing to health-check.
TOOL_PROGRAMS = frozenset({
    "sh", "bash", "ash", "dash", "zsh", "fish", "ksh", "pwsh", "powershell", "cmd", "cmd.exe",
    "pwsh.exe", "powershell.exe", "python", "python3", "python2", "ipython", "node", "irb",
    "ruby", "php", "perl", "go", "jshell", "ghci", "R", "julia", "lua", "erl", "iex", "dotnet",
    "mvn", "gradle", "cargo", "rustc", "gcc", "make", "git", "terraform", "kubectl", "helm",
    "aws", "gcloud", "az", "ansible", "ansible-playbook", "jq", "curl", "wget", "ffmpeg",
    "pandoc", "firefox", "chromium", "chromium-browser", "google-chrome", "chrome", "code",
    "libreoffice", "gimp", "inkscape", "vlc", "thunderbird", "signal-desktop", "slack",
    "spotify", "steam", "skype", "tor-browser", "true", "cat", "echo", "sleep",
})
# Images whose default command is a shell or a REPL: an OS or a language's runtime/toolchain.
TOOL_IMAGES = frozenset({
    "alpine", "debian", "ubuntu", "busybox", "fedora", "centos", "rockylinux", "almalinux",
    "amazonlinux", "archlinux", "opensuse/leap", "opensuse/tumbleweed", "oraclelinux",
    "buildpack-deps", "node", "python", "golang", "ruby", "php", "perl", "openjdk",
    "eclipse-temurin", "amazoncorretto", "rust", "gcc", "erlang", "elixir", "haskell", "julia",
    "r-base", "swift", "clojure", "groovy", "gradle", "maven", "pypy", "bash",
    "windows/servercore", "windows/nanoserver", "windows/server", "dotnet/sdk",
    "dotnet/runtime", "powershell", "distroless/static", "distroless/base",
})
# ENTRYPOINTs that only prepare the environment and then run the CMD.
_LAUNCHERS = frozenset({"tini", "dumb-init", "gosu", "su-exec", "docker-entrypoint.sh",
                        "docker-php-entrypoint", "entrypoint.sh", "/init", "init", "s6-overlay",
                        "catatonit", "tini-static", "exec", "env"})


@dataclass(frozen=True, slots=True)
class Service:
    """Whether the final stage serves, and why: ``kind`` is "service" (it does: EXPOSE, a
    server program or image), "tool" (it does not: a shell, REPL or CLI without EXPOSE) or
    "unknown" (a command hullcheck does not know, no EXPOSE)."""

    kind: str
    why: str


def _last(chain: list[Stage], cmd: str) -> Instruction | None:
    for stage in chain:
        found = [i for i in stage.instructions if i.cmd == cmd]
        if found:
            return found[-1]
    return None


_SHELLS = frozenset({"sh", "bash", "ash", "dash"})
# Interpreters: a REPL alone (`node`, `irb`, `php -a`), an application with a script
# (`python app.py`, `node server.js`, `java -jar app.jar`).
_INTERPRETERS = frozenset({"python", "python3", "python2", "node", "ruby", "php", "perl",
                           "java", "dotnet", "deno", "bun", "pypy3"})


# `sh -c "sh -c '...'"` levels followed to find the program a command runs (hostile input can
# nest them as deep as its quoting allows).
MAX_SHELL_NESTING = 4


def _program(words: list[str], depth: int = 0) -> tuple[str, list[str]] | None:
    """The program a command runs and its arguments, looking through launchers (``tini --``,
    ``gosu app``, ``docker-entrypoint.sh``) and ``sh -c "exec x"`` (``MAX_SHELL_NESTING``
    levels, then the shell itself is the program); None when nothing is left."""
    i = 0
    while i < len(words):
        word = words[i]
        name = word.replace("\\", "/").rsplit("/", 1)[-1]
        if word.startswith("-") or "=" in word:
            i += 1
            continue
        if name in _LAUNCHERS or word in _LAUNCHERS or name.endswith("entrypoint.sh"):
            i += 2 if name in ("gosu", "su-exec") else 1
            continue
        if name in _SHELLS and words[i + 1 : i + 2] == ["-c"] and i + 2 < len(words) and \
                depth < MAX_SHELL_NESTING:
            return _program(split_words(words[i + 2]), depth + 1)
        return name, words[i + 1 :]
    return None


def _words(instruction: Instruction | None) -> list[str]:
    if instruction is None:
        return []
    return list(instruction.value) if instruction.json else split_words(instruction.text)


def _image_name(image: str) -> str:
    """``docker.io/library/nginx:1.27@sha256:...`` -> ``nginx``; ``mcr.microsoft.com/windows/
    servercore:ltsc2022`` -> ``windows/servercore``."""
    path = image.split("@", 1)[0]
    parts = path.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if parts and parts[0] == "library":
        parts = parts[1:]
    name = "/".join(parts)
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    return name.lower()


def judge_service(stage: Stage) -> Service:
    """Does the final stage run a service a HEALTHCHECK could probe? From its EXPOSE (its own
    or its base stages'), the program its ENTRYPOINT/CMD runs, or, with neither, the image it is
    built on."""
    chain = stage_chain(stage)
    ports = [p for s in chain for i in s.instructions if i.cmd == "EXPOSE" for p in i.value]
    if ports:
        listed = list(dict.fromkeys(ports))
        return Service("service", f"it exposes port{'s' if len(listed) > 1 else ''} "
                                  f"{', '.join(listed)}")
    entrypoint, command = _last(chain, "ENTRYPOINT"), _last(chain, "CMD")
    run = _program(_words(entrypoint) + _words(command))
    if run is not None:
        program, args = run
        if program.split(".", 1)[0] in _INTERPRETERS and \
                any(not a.startswith("-") for a in args):
            line = " ".join([program, *args])
            line = line if len(line) <= 60 else line[:57] + "..."
            return Service("unknown", f"it runs `{line}`, an application, and exposes no port")
        if program in SERVER_PROGRAMS or program.endswith(("-server", "-foreground")):
            return Service("service", f"it runs {program}, a server")
        if program in TOOL_PROGRAMS or program.rsplit(".", 1)[0] in TOOL_PROGRAMS:
            return Service("tool", f"it runs {program} and exposes no port")
        return Service("unknown", f"it runs `{program}`, a program hullcheck does not know, "
                                  "and exposes no port")
    # Nothing but launchers (`ENTRYPOINT ["tini", "--"]`): what they run comes from the base.
    base = image_of(chain[-1])
    if base is None:
        if chain[-1].is_scratch:
            return Service("tool", "it is built FROM scratch with no command and no port")
        return Service("unknown", "its base image and command are not known here")
    name = _image_name(base)
    if name in SERVER_IMAGES or name.rsplit("/", 1)[-1] in SERVER_IMAGES:
        return Service("service", f"it is built FROM {name}, a server image")
    if name in TOOL_IMAGES or name.rsplit("/", 1)[-1] in TOOL_IMAGES:
        return Service("tool", f"it is built FROM {name} (a shell or a runtime by default) "
                               "with no command and no port of its own")
    return Service("unknown", f"it is built FROM {name}, whose command is not known here, "
                              "and exposes no port")


class NoHealthcheck(DockerfileRule):
    """
    ## What it finds
    A final stage with no `HEALTHCHECK` (neither its own nor one inherited from an earlier stage
    it is built `FROM`). `HEALTHCHECK NONE` counts as a decision and is not reported: it is how
    you say that health is probed elsewhere (Kubernetes probes, which ignore `HEALTHCHECK`). A
    health check the base image from a registry may define is not known here.

    Only where there is a service to probe, judged from the final stage (and the stages it is
    built `FROM`):
    - low when it serves: it has an `EXPOSE`, its `ENTRYPOINT`/`CMD` runs a known server
      (`nginx`, `redis-server`, `php-fpm`, `gunicorn`, `*-server`, `*-foreground`..., looked
      at through launchers such as `tini`, `gosu`, `docker-entrypoint.sh` and `sh -c`), or, with
      no command of its own (or launchers only), it is built `FROM` a server image (`nginx`,
      `postgres`...);
    - not reported for a command-line, runtime or desktop image without `EXPOSE`: a shell,
      REPL or tool (`ENTRYPOINT ["pwsh"]`, `CMD ["node"]`, `php -a`, `irb`, `chromium`), an
      OS, language or toolchain image with no command of its own (`FROM golang`), or `scratch`
      with no command;
    - info otherwise, saying what it depends on: an application or a program hullcheck does
      not know and no `EXPOSE` (`CMD ["python", "app.py"]`, `FROM acme/app`): a service
      needs a health check, a batch or command-line image does not.

    ## Why it matters
    Without a health check Docker only knows whether the process exists, not whether it works:
    a hung server stays "running", restart policies and Swarm never replace it, and
    `depends_on: condition: service_healthy` cannot be used. CIS Docker Benchmark 4.6.

    ## How to fix
    Before:
    ```Dockerfile
    FROM nginx:1.27
    ```
    After:
    ```Dockerfile
    FROM nginx:1.27
    HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost/ || exit 1
    ```

    ## References
    - CIS Docker Benchmark 1.6, 4.6 "Ensure that HEALTHCHECK instructions have been added to
      container images"
    """

    id = "DF018"
    name = "no-healthcheck"
    title = "No HEALTHCHECK in the final stage"
    severity = Severity.LOW
    references = ("cis-docker-1.6:4.6",)
    fix = "Add `HEALTHCHECK CMD <probe>` to the final stage (or `HEALTHCHECK NONE` on purpose)."

    def check_stage(self, ctx: Context, dockerfile: Dockerfile, stage: Stage
                    ) -> Iterator[Finding]:
        if not stage.is_final or effective_healthcheck(stage) is not None:
            return
        service = judge_service(stage)
        if service.kind == "tool":
            return
        if service.kind == "service":
            yield self.finding(
                dockerfile.location(stage.line),
                f"The final stage defines no HEALTHCHECK and serves ({service.why}): Docker "
                "cannot tell a hung container from a working one.",
                evidence="no-healthcheck",
            )
            return
        yield self.finding(
            dockerfile.location(stage.line),
            f"The final stage defines no HEALTHCHECK; whether it needs one depends on what it "
            f"runs ({service.why}): a service needs one (Docker cannot tell a hung container "
            "from a working one), a command-line or batch image does not.",
            severity=Severity.INFO, evidence="no-healthcheck")
