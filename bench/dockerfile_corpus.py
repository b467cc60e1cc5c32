"""Generate a realistic corpus of Dockerfiles (deterministic for a seed).

The variety follows real projects: language images and distro bases, multi-stage builds, package
installs in the styles of apt, apk, dnf, pip and npm, heredocs, ARG-driven bases, healthchecks,
users, secrets done right and wrong.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

BASES = [
    "alpine:3.20", "alpine", "debian:bookworm-slim", "ubuntu:24.04", "ubuntu:latest",
    "node:22-alpine", "node:latest", "python:3.12-slim", "python:3.11", "golang:1.23",
    "nginx:1.27", "redis:7", "eclipse-temurin:21-jre", "rust:1.82", "ruby:3.3",
    "gcr.io/distroless/static-debian12", "registry.internal:5000/base/app:1.0",
    "ghcr.io/acme/runtime@sha256:" + "ab" * 32, "fedora:40", "amazonlinux:2023",
]
APT_PKGS = ["curl", "ca-certificates", "git", "build-essential", "libpq-dev", "openssh-server",
            "vim", "jq", "unzip", "gnupg", "wget", "netcat-openbsd", "tini"]
APK_PKGS = ["curl", "bash", "git", "openssl", "tzdata", "dropbear", "su-exec", "ca-certificates"]


def install_block(rng: random.Random, base: str) -> list[str]:
    pkgs = " ".join(rng.sample(APT_PKGS, rng.randint(1, 5)))
    if "alpine" in base or base.endswith("-alpine"):
        apk = " ".join(rng.sample(APK_PKGS, rng.randint(1, 4)))
        return [f"RUN apk add --no-cache {apk}"] if rng.random() < 0.8 else \
            ["RUN apk update", f"RUN apk add {apk}"]
    if "fedora" in base or "amazonlinux" in base:
        return [f"RUN dnf install -y {pkgs} && dnf clean all"]
    style = rng.random()
    if style < 0.5:
        return [
            "RUN apt-get update \\",
            f"    && apt-get install -y --no-install-recommends {pkgs} \\",
            "    && rm -rf /var/lib/apt/lists/*",
        ]
    if style < 0.7:
        return ["RUN apt-get update", f"RUN apt-get install -y {pkgs}"]
    if style < 0.85:
        return [
            "RUN <<EOF",
            "set -eux",
            "apt-get update",
            f"apt-get install -y {pkgs}",
            "rm -rf /var/lib/apt/lists/*",
            "EOF",
        ]
    return [f"RUN sudo apt-get update && sudo apt-get install -y --allow-unauthenticated {pkgs}"]


def language_block(rng: random.Random, base: str) -> list[str]:
    out: list[str] = []
    if base.startswith("python"):
        out += ["COPY requirements.txt .",
                "RUN pip install --no-cache-dir -r requirements.txt" if rng.random() < 0.8 else
                "RUN pip install --trusted-host pypi.internal -r requirements.txt"]
    elif base.startswith("node"):
        out += ["COPY package*.json ./", "RUN npm ci --omit=dev"]
        if rng.random() < 0.1:
            out.append("RUN npm config set strict-ssl false")
    elif base.startswith("golang"):
        out += ["COPY go.mod go.sum ./", "RUN go mod download", "COPY . .",
                "RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app"]
    elif base.startswith("rust"):
        out += ["COPY . .", "RUN cargo build --release"]
    return out


def dockerfile(rng: random.Random, i: int) -> str:
    lines: list[str] = []
    if rng.random() < 0.3:
        lines.append("# syntax=docker/dockerfile:1.7")
    base = rng.choice(BASES)
    if rng.random() < 0.15:
        lines += [f"ARG BASE_IMAGE={base}", "FROM ${BASE_IMAGE} AS build"]
    else:
        lines.append(f"FROM {base} AS build")
    lines += ["WORKDIR /src", f"LABEL org.opencontainers.image.title=app{i}"]
    lines += install_block(rng, base)
    lines += language_block(rng, base)
    if rng.random() < 0.15:
        lines.append("RUN curl -fsSL https://get.example.com/install.sh | sh")
    if rng.random() < 0.1:
        lines.append("RUN wget --no-check-certificate https://example.com/tool.tgz")
    if rng.random() < 0.3:
        lines.append("COPY . .")
    if rng.random() < 0.1:
        lines.append("ADD app.tar.gz /opt/")
    if rng.random() < 0.1:
        lines.append("ADD https://example.com/file.bin /opt/file.bin")
    multi = rng.random() < 0.5
    if multi:
        final = rng.choice(["alpine:3.20", "gcr.io/distroless/static-debian12", "scratch",
                            "debian:bookworm-slim", base])
        lines += ["", f"FROM {final}", "COPY --from=build /src /app"]
    if rng.random() < 0.2:
        lines.append("ENV API_TOKEN=ghp_" + "".join(rng.choices("abcdefghijklmnop0123456789",
                                                                   k=36)))
    else:
        lines.append("ENV APP_ENV=production PORT=8080")
    if rng.random() < 0.1:
        lines.append("RUN chmod 4755 /app/bin/helper")
    if rng.random() < 0.1:
        lines.append("RUN chmod -R 777 /app")
    lines.append("EXPOSE " + rng.choice(["8080", "80 443", "22 8080", "3000"]))
    if rng.random() < 0.5:
        lines.append("HEALTHCHECK --interval=30s "
                     "CMD wget -qO- http://localhost:8080/health || exit 1")
    if rng.random() < 0.6:
        lines.append(rng.choice(["USER 10001", "USER app", "USER nobody:nogroup", "USER root"]))
    lines.append(rng.choice(['CMD ["/app/server"]', "CMD /app/server --port 8080",
                             'ENTRYPOINT ["tini", "--"]', 'CMD ["node", "server.js"]']))
    return "\n".join(lines) + "\n"


def generate(out: Path, count: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        d = out / f"svc{i:04d}"
        d.mkdir(exist_ok=True)
        p = d / "Dockerfile"
        p.write_text(dockerfile(rng, i))
        paths.append(p)
    return paths


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--count", type=int, default=1000)
    args = ap.parse_args()
    print(len(generate(args.out, args.count)), "Dockerfiles in", args.out)
