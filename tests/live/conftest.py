"""Fixtures for tests that need a real Docker Engine (``@pytest.mark.live``).

- ``docker_client``: a client for the engine that answers (``DOCKER_HOST`` honoured). Without
  one the test is skipped with the reason, except under ``CI=true`` where it fails: CI must run
  these tests (``scripts/docker-engine.sh`` provides the engine there).
- ``busybox_image``: a base image built with ``docker import`` from the host's static busybox
  (Debian ``busybox-static``); nothing is pulled. Session-scoped, labelled, removed at the end.
- ``make_container``: creates labelled containers (started or not) and removes them afterwards,
  with their anonymous volumes.
Everything a live test creates carries the label ``hullcheck.test=<branch>``; tests remove only
what they created.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from live.dockertest import (
    LABELS,
    RUN_ID,
    TEST_OWNER,
    busybox_rootfs_tar,
    find_busybox,
    no_engine,
    remove_container,
)


@pytest.fixture(scope="session")
def docker_client() -> Iterator[Any]:
    try:
        import docker
    except ImportError:
        no_engine("the docker SDK is not installed")
    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except Exception as exc:
        host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        no_engine(f"no Docker Engine answers on {host}: {str(exc).splitlines()[0][:200]}")
    yield client
    client.close()


@pytest.fixture(scope="session")
def busybox_image(docker_client: Any) -> Iterator[str]:
    """Tag of a busybox base image imported from the host's static busybox."""
    busybox = find_busybox()
    if busybox is None:
        no_engine("no static busybox on this machine (install Debian's busybox-static)")
    assert busybox is not None
    tag = f"hullcheck-test/busybox:{TEST_OWNER}-{RUN_ID}"
    repo, _, version = tag.partition(":")
    label_change = " ".join(f'{k}="{v}"' for k, v in LABELS.items())
    docker_client.api.import_image_from_data(
        busybox_rootfs_tar(busybox),
        repository=repo,
        tag=version,
        changes=[f"LABEL {label_change}", 'CMD ["/bin/sh"]'],
    )
    yield tag
    with contextlib.suppress(Exception):
        docker_client.images.remove(tag, force=True, noprune=False)


@pytest.fixture
def make_container(docker_client: Any, busybox_image: str) -> Iterator[Callable[..., Any]]:
    """``make_container(start=True, command=..., **create_kwargs)`` -> Container.

    Keyword arguments are those of ``client.containers.create``; labels are merged with the test
    label. Everything made here is removed (with anonymous volumes) when the test ends."""
    made: list[Any] = []

    def make(*, start: bool = True, image: str | None = None, **kwargs: Any) -> Any:
        labels = {**LABELS, **kwargs.pop("labels", {})}
        kwargs.setdefault("command", ["sleep", "3600"])
        kwargs.setdefault("name", f"hullcheck-{TEST_OWNER}-{RUN_ID}-{uuid.uuid4().hex[:6]}")
        container = docker_client.containers.create(
            image or busybox_image, labels=labels, **kwargs
        )
        made.append(container)
        if start:
            container.start()
            container.reload()
        return container

    yield make
    for container in made:
        remove_container(container)
