"""``hullcheck fix`` on Dockerfiles: the final-stage USER (DF001), a line edit that picks how to
create the user from the base image."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli
from hullcheck.fix.dockerfile import user_family


@pytest.mark.parametrize(("image", "family"), [
    ("alpine:3.20", "busybox"), ("busybox", "busybox"), ("python:3.12-alpine", "busybox"),
    ("docker.io/library/nginx:alpine@sha256:" + "a" * 64, "busybox"),
    ("debian:12", "shadow"), ("ubuntu", "shadow"), ("node:20", "shadow"),
    ("gcr.io/distroless/static-debian12", "none"), ("cgr.dev/chainguard/static", "none"),
    (None, "shadow"),  # unknown (FROM $BASE): useradd, the common case
])
def test_user_creation_follows_the_base_image(image: str | None, family: str) -> None:
    assert user_family(image) == family


@pytest.mark.parametrize(("text", "added"), [
    ("FROM alpine:3.20\nRUN apk add --no-cache curl\n",
     "RUN adduser -D -H -u 10001 app\nUSER 10001\n"),
    ("FROM debian:12-slim AS base\nRUN true\nFROM base\nCMD [\"true\"]\n",
     "RUN useradd --system --uid 10001 --no-create-home app\nUSER 10001\n"),
    ("FROM gcr.io/distroless/static-debian12\nCOPY app /app\n", "USER 65532:65532\n"),
    # an earlier non-root user of the stage: switch back to it, create nothing
    ("FROM alpine\nRUN adduser -D web\nUSER web\nUSER root\nRUN apk add curl\n", "USER web\n"),
    # no final newline: one is added before the new lines
    ("FROM ubuntu:24.04\nUSER root", "\nRUN useradd --system --uid 10001 --no-create-home app\n"
                                     "USER 10001\n"),
])
def test_final_user(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
                    added: str) -> None:
    f = tmp_path / "Dockerfile"
    f.write_text(text)
    code, out, _ = run_cli(capsys, "fix", "--unsafe-fixes", "--select", "DF001", str(f))
    assert code == 0
    assert f.read_text() == text + added
    assert "DF001:   verify: the application can read its files" in out
    # It parses, re-scans clean for DF001, and a second fix changes nothing.
    assert run_cli(capsys, "scan", "--select", "DF001", str(f))[0] == 0
    assert run_cli(capsys, "fix", "--diff", "--unsafe-fixes", "--select", "DF001", str(f)
                   )[:2] == (0, "")


def test_crlf_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "Dockerfile"
    f.write_bytes(b"FROM busybox:1.36\r\nCMD [\"sh\"]\r\n")
    run_cli(capsys, "fix", "--unsafe-fixes", str(f))
    assert f.read_bytes() == (b"FROM busybox:1.36\r\nCMD [\"sh\"]\r\n"
                              b"RUN adduser -D -H -u 10001 app\r\nUSER 10001\r\n")


@pytest.mark.parametrize(("text", "why"), [
    ("FROM scratch\nCOPY app /app\n", "a scratch image has no user database"),
    ("FROM alpine\nRUN echo hi \\\n", "the file ends in a line continuation"),
])
def test_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
                    why: str) -> None:
    f = tmp_path / "Dockerfile"
    f.write_text(text)
    _, out, _ = run_cli(capsys, "fix", "--unsafe-fixes", "--select", "DF001", str(f))
    assert f.read_text() == text
    if "scratch" in text:  # DF001 does not fire on scratch: nothing to fix
        assert out == "0 finding(s) fixed in 0 file(s); 0 left\n"
    else:
        assert f"DF001: not fixed: {why}" in out


def test_without_unsafe_fixes_nothing_changes(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "Dockerfile"
    f.write_text("FROM alpine\n")
    code, out, _ = run_cli(capsys, "fix", str(f))
    assert code == 1  # DF001 is high, and left
    assert f.read_text() == "FROM alpine\n"
    assert out.startswith(f"{f}:1: DF001: unsafe fix not applied (--unsafe-fixes): end the final "
                          "stage with a non-root USER")
