"""Generate a realistic compose corpus for benchmarking ``hullcheck scan``.

Projects look like what people commit: a web front, an API, workers, databases and caches, with
anchors and merge keys, ``x-`` extensions, interpolation with defaults, ``.env`` files, override
files, short and long port/volume syntax, ``deploy.resources`` and a sprinkling of the insecure
settings the CT rules look for. Deterministic for a given seed.

    python bench/compose_corpus.py OUT_DIR [--projects N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

IMAGES = ["nginx:1.27", "postgres:16", "redis:7.4", "node:22-alpine", "python:3.12-slim",
          "ghcr.io/acme/api:2.3.1", "registry.example.com/team/worker:1.8", "rabbitmq:3-management",
          "grafana/grafana:11.2.0", "mysql", "traefik:latest", "minio/minio"]
KINDS = ["web", "api", "worker", "db", "cache", "queue", "proxy", "metrics", "scheduler"]
RISKY = [
    "    privileged: true\n",
    "    cap_add: [SYS_ADMIN]\n",
    "    cap_add: [NET_ADMIN, SYS_PTRACE]\n",
    "    network_mode: host\n",
    "    pid: host\n",
    "    security_opt: [\"seccomp:unconfined\"]\n",
    "    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n",
    "    volumes:\n      - /:/host:ro\n",
    "    user: root\n",
    "    restart: always\n",
    "    environment:\n      DB_PASSWORD: changeme\n",
    "    devices: [\"/dev/fuse:/dev/fuse\"]\n",
]
HARDENED = """\
x-hardened: &hardened
  read_only: true
  cap_drop: [ALL]
  security_opt: ["no-new-privileges:true"]
  user: "10001:10001"
  pids_limit: 200
  deploy:
    resources:
      limits:
        memory: 512m
        cpus: "1.0"
  logging:
    driver: json-file
    options: {max-size: 10m, max-file: "3"}
"""


def service(rng: random.Random, name: str, hardened: bool) -> str:
    lines = [f"  {name}:\n"]
    if hardened:
        lines.append("    <<: *hardened\n")
    image = rng.choice(IMAGES)
    if ":" in image and rng.random() < 0.3:
        repo, tag = image.rsplit(":", 1)
        image = f"{repo}:${{{name.upper().replace('-', '_')}_TAG:-{tag}}}"
    lines.append(f"    image: \"{image}\"\n")
    if rng.random() < 0.6:
        port = rng.choice([80, 443, 3000, 5432, 6379, 8080, 9090])
        bind = rng.choice(["", "127.0.0.1:"])
        if rng.random() < 0.5:
            lines.append(f"    ports:\n      - \"{bind}{port + rng.randint(0, 9)}:{port}\"\n")
        else:
            lines.append(f"    ports:\n      - target: {port}\n        published: "
                         f"\"{port + 1000}\"\n        protocol: tcp\n")
    lines.append("    environment:\n")
    for i in range(rng.randint(2, 8)):
        lines.append(f"      {name.upper().replace('-', '_')}_OPT_{i}: \"${{OPT_{i}:-v{i}}}\"\n")
    if rng.random() < 0.7:
        lines.append("    volumes:\n      - data-" + name + ":/var/lib/" + name + "\n"
                     "      - ./config/" + name + ":/etc/" + name + ":ro\n")
    if rng.random() < 0.5:
        lines.append("    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 30s\n")
    lines.append(f"    depends_on: [{rng.choice(KINDS)}-0]\n" if rng.random() < 0.4 else "")
    if rng.random() < 0.35:
        risky = rng.choice(RISKY)
        # keep the YAML valid: don't add a second volumes/environment key
        if not any(risky.startswith(f"    {k}:") and f"    {k}:" in "".join(lines)
                   for k in ("volumes", "environment")):
            lines.append(risky)
    return "".join(lines)


def project(rng: random.Random, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    names = [f"{kind}-{i}" for i, kind in enumerate(rng.sample(KINDS, rng.randint(2, 7)))]
    body = [HARDENED, "services:\n"]
    body += [service(rng, name, rng.random() < 0.6) for name in names]
    body.append("volumes:\n" + "".join(f"  data-{n}: {{}}\n" for n in names))
    filename = rng.choice(["compose.yaml", "docker-compose.yml", "compose.yml"])
    (directory / filename).write_text("".join(body))
    (directory / ".env").write_text("".join(f"OPT_{i}=x{i}\n" for i in range(4)))
    if rng.random() < 0.4:
        stem = filename.rsplit(".", 1)[0]
        ext = filename.rsplit(".", 1)[1]
        target = rng.choice(names)
        (directory / f"{stem}.override.{ext}").write_text(
            f"services:\n  {target}:\n    ports:\n      - \"9229:9229\"\n"
            f"    environment:\n      DEBUG: \"1\"\n")


def generate(out: Path, projects: int = 500, seed: int = 1) -> int:
    """Write ``projects`` compose projects under ``out``; returns the number of files."""
    rng = random.Random(seed)
    for i in range(projects):
        project(rng, out / f"project-{i:04d}")
    return sum(1 for p in out.rglob("*.y*ml"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    files = generate(args.out, args.projects, args.seed)
    print(f"wrote {files} compose files in {args.projects} projects under {args.out}")


if __name__ == "__main__":
    main()
