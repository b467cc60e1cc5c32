"""Section 7 (swarm) on the real engine: the engine is put into swarm mode, given what the checks
look at (overlay networks, a secret, a service publishing a port), audited, and ALWAYS taken out
of swarm mode again (leaving the swarm removes its networks, secrets and services; the
``docker_gwbridge`` network it leaves behind is removed when it was not there before).

Other helpers share this engine: the swarm lives only for the few seconds of each test, and
everything created is labelled ``hullcheck.test=<owner>``.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hullcheck.config import Config
from hullcheck.findings import CheckResult, Report
from hullcheck.hostaudit.audit import audit
from hullcheck.inputs.docker_host import HostOptions, collect
from hullcheck.rules.base import Context
from live.dockertest import LABELS, RUN_ID, TEST_OWNER

pytestmark = pytest.mark.live

PREFIX = f"hullcheck-{TEST_OWNER}-{RUN_ID}"
SECTION_7 = [f"7.{n}" for n in range(1, 10)]


def run_audit() -> Report:
    # No container of the host matters here: the filter keeps the audit quick.
    host = collect(HostOptions(all_containers=True, container_filters=[f"{PREFIX}-none"]))
    assert host.engine_error is None
    return audit(host, Context(config=Config()))


def results(report: Report) -> dict[str, Any]:
    return {c.id.split(":", 1)[1]: c for c in report.checks}


def swarm_state(client: Any) -> str:
    return str((client.info().get("Swarm") or {}).get("LocalNodeState") or "inactive")


@contextlib.contextmanager
def swarm_mode(client: Any, **init: Any) -> Iterator[None]:
    """The engine in swarm mode for the ``with`` body; out of it afterwards, whatever happens."""
    if swarm_state(client) != "inactive":
        pytest.skip("the engine is already in swarm mode (someone else's): not touching it")
    networks_before = {n["Name"] for n in client.api.networks()}
    try:
        client.swarm.init(advertise_addr="127.0.0.1", **init)
        yield
    finally:
        with contextlib.suppress(Exception):
            client.swarm.leave(force=True)
        if "docker_gwbridge" not in networks_before:
            # The ingress sandbox leaves the bridge asynchronously after the swarm is left.
            for _ in range(20):
                try:
                    client.api.remove_network("docker_gwbridge")
                    break
                except Exception:
                    time.sleep(0.5)
        assert swarm_state(client) == "inactive"
        left = {n["Name"] for n in client.api.networks()} - networks_before
        assert not left, f"networks left behind: {sorted(left)}"


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


def remove_ingress(client: Any) -> None:
    """Remove the routing-mesh network, once its sandbox is up: removing it while the engine
    still sets it up leaves a stale ``ingress`` network behind even after leaving the swarm."""

    def sandbox_up() -> bool:
        with contextlib.suppress(Exception):
            return "ingress-sbox" in (client.api.inspect_network("ingress").get("Containers")
                                      or {})
        return False

    def gone() -> bool:
        return "ingress" not in {n["Name"] for n in client.api.networks()}

    wait_for(sandbox_up, "the ingress sandbox")
    client.api.remove_network("ingress")
    wait_for(gone, "the ingress network to go")


def test_without_swarm_section_7_is_not_applicable(docker_client: Any) -> None:
    if swarm_state(docker_client) != "inactive":
        pytest.skip("the engine is in swarm mode (someone else's)")
    got = results(run_audit())
    for check in SECTION_7:
        assert got[check].result is CheckResult.NOT_APPLICABLE, check
        assert got[check].reason == "Swarm mode is inactive", check
    assert got["5.1"].result is CheckResult.PASS


def test_default_swarm_on_the_live_engine(docker_client: Any, busybox_image: str) -> None:
    """``docker swarm init --advertise-addr 127.0.0.1``: no listen address, no auto-lock, the
    ingress network and one overlay unencrypted, a password in a service's environment."""
    from docker.types import EndpointSpec, SecretReference, ServiceMode

    port = random.randint(30000, 32000)
    with swarm_mode(docker_client):
        docker_client.networks.create(f"{PREFIX}-plain", driver="overlay", labels=LABELS)
        docker_client.networks.create(f"{PREFIX}-sealed", driver="overlay",
                                      options={"encrypted": ""}, labels=LABELS)
        secret = docker_client.secrets.create(name=f"{PREFIX}-db", data=b"s3cr3t",
                                              labels=LABELS)
        docker_client.services.create(
            busybox_image, ["sleep", "3600"], name=f"{PREFIX}-web", labels=LABELS,
            container_labels=LABELS, mode=ServiceMode("replicated", replicas=0),
            endpoint_spec=EndpointSpec(ports={port: 80}), env=["DB_PASSWORD=hunter2"],
            secrets=[SecretReference(secret.id, f"{PREFIX}-db")])
        report = run_audit()
    got = results(report)
    assert {c: got[c].result for c in SECTION_7} == {
        "7.1": CheckResult.PASS,
        "7.2": CheckResult.FAIL,
        "7.3": CheckResult.FAIL,
        "7.4": CheckResult.MANUAL,
        "7.5": CheckResult.FAIL,
        "7.6": CheckResult.NOT_APPLICABLE,
        "7.7": CheckResult.MANUAL,
        "7.8": CheckResult.MANUAL,
        "7.9": CheckResult.MANUAL,
    }
    assert got["7.1"].reason == "1 manager: an odd number, at most 7"
    # swarm init without --listen-addr binds the management and gossip ports everywhere
    assert "2377 (management), 7946 (node gossip) listen on every interface" in got["7.2"].evidence
    overlay = {f.location.object for f in report.findings
               if "cis-docker-1.6:7.3" in f.references}
    assert overlay == {"Network/ingress", f"Network/{PREFIX}-plain"}
    assert "routing-mesh" in got["7.3"].evidence
    assert f"swarm secret(s): {PREFIX}-db" in got["7.4"].evidence
    assert (f"service {PREFIX}-web: uses secret(s) {PREFIX}-db; passes DB_PASSWORD"
            in got["7.4"].evidence)
    assert "not auto-locked" in got["7.5"].evidence
    assert got["7.6"].reason.startswith("auto-lock is off")
    assert "2160 h (90 days)" in got["7.7"].evidence
    assert got["7.8"].evidence.startswith("root CA CN=swarm-ca: valid from")
    assert "advertises 127.0.0.1" in got["7.9"].evidence
    # the routing mesh publishes the port on every node: no container or socket shows it
    assert (f"service {PREFIX}-web: *:{port}->80/tcp on every interface of every node"
            in got["5.9"].evidence)
    assert got["5.1"].result is CheckResult.FAIL
    if not docker_client.info().get("LiveRestoreEnabled"):
        assert got["2.15"].result is CheckResult.NOT_APPLICABLE
        assert got["2.15"].reason == "live restore is incompatible with swarm mode"


def test_hardened_swarm_on_the_live_engine(docker_client: Any) -> None:
    """``--listen-addr 127.0.0.1:2377 --autolock``, ingress removed, only encrypted overlays."""
    with swarm_mode(docker_client, listen_addr="127.0.0.1:2377", autolock_managers=True):
        remove_ingress(docker_client)
        docker_client.networks.create(f"{PREFIX}-sealed", driver="overlay",
                                      options={"encrypted": ""}, labels=LABELS)
        report = run_audit()
    got = results(report)
    assert {c: got[c].result for c in SECTION_7} == {
        "7.1": CheckResult.PASS,
        "7.2": CheckResult.PASS,
        "7.3": CheckResult.PASS,
        "7.4": CheckResult.MANUAL,
        "7.5": CheckResult.PASS,
        "7.6": CheckResult.MANUAL,
        "7.7": CheckResult.MANUAL,
        "7.8": CheckResult.MANUAL,
        "7.9": CheckResult.MANUAL,
    }
    assert got["7.2"].reason == "the swarm ports listen on 127.0.0.1:2377, 127.0.0.1:7946"
    assert got["7.3"].reason == f"every overlay network is encrypted: {PREFIX}-sealed"
    assert got["7.4"].evidence == "0 swarm secret(s)"
    assert got["7.5"].reason.startswith("managers are auto-locked")
    assert not [f for f in report.findings if f.rule == "HOST010"]
