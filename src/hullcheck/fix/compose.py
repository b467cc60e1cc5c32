"""The compose edits of ``hullcheck fix``: a finding's service (``location.container``) is found
under ``services:`` of the file the finding names, and the field the rule asks for is set."""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from hullcheck.findings import Finding
from hullcheck.fix.yamledit import EditRefused, Node, YamlFile, documents, flow_seq, like

LOOPBACK = "127.0.0.1"
_NNP = re.compile(r"^\s*no-new-privileges(?:\s*[:=]\s*(\w+))?\s*$", re.IGNORECASE)
# short port syntax: [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]; HOST_IP may be [v6]
_PORT = re.compile(r"^(?:(?P<ip>\[[^\]]*\]|[^:\[\]]*):)?(?P<rest>[^:]*:[^:]*)$")


def service(f: YamlFile, finding: Finding) -> Node:
    name = finding.location.container
    for doc in documents(f):
        services = doc.child("services")
        if services is not None and isinstance(services.value, CommentedMap):
            node = services.child(name)
            if node is not None and isinstance(node.value, CommentedMap):
                return node
    raise EditRefused(f"service {name!r} is not defined in this file")


def no_new_privileges(f: Any, finding: Finding) -> None:
    svc = service(f, finding)
    opts = svc.child("security_opt")
    if opts is None:
        svc.set("security_opt", flow_seq(DoubleQuotedScalarString("no-new-privileges:true")))
        return
    if not isinstance(opts.value, list):
        raise EditRefused("security_opt is not a list")
    for i, item in enumerate(opts.value):
        m = _NNP.match(str(item))
        if m and (m.group(1) or "true").lower() != "true":
            opts.writable()[i] = like(item, "no-new-privileges:true")
            return
    opts.writable().append(like(opts.value[-1] if opts.value else "",
                                "no-new-privileges:true"))


def cap_drop_all(f: Any, finding: Finding) -> None:
    svc = service(f, finding)
    drop = svc.child("cap_drop")
    if drop is None:
        svc.set("cap_drop", flow_seq("ALL"))
    elif isinstance(drop.value, list):
        if "ALL" not in [str(d).upper() for d in drop.value]:
            drop.writable().append("ALL")
    else:
        raise EditRefused("cap_drop is not a list")


def read_only(f: Any, finding: Finding) -> None:
    service(f, finding).set("read_only", True)


def loopback_port(f: Any, finding: Finding) -> None:
    svc = service(f, finding)
    ports = svc.child("ports")
    if ports is None or not isinstance(ports.value, list):
        raise EditRefused("the service has no ports list")
    line = finding.location.line
    for i in range(len(ports.value)):
        item = ports.child(i)
        assert item is not None
        if _item_line(ports, i) != line:
            continue
        if isinstance(item.value, CommentedMap):  # long syntax
            item.set("host_ip", LOOPBACK)
            return
        text = str(item.value)
        if ":" not in text:  # "80": an ephemeral host port on every interface
            ports.writable()[i] = like(item.value, f"{LOOPBACK}::{text}")
            return
        m = _PORT.match(text)
        if m is None:
            raise EditRefused(f"port {text!r} publishes no host port to bind")
        ports.writable()[i] = like(item.value, f"{LOOPBACK}:{m.group('rest')}")
        return
    raise EditRefused(f"no port entry on line {line}")


def _item_line(seq: Node, i: int) -> int | None:
    try:
        return int(seq.value.lc.item(i)[0]) + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return None


def pin_image(f: Any, finding: Finding) -> None:
    """CT028: the service's image with the engine's digest appended, quoted as it was."""
    from hullcheck.fix.digests import pinned

    svc = service(f, finding)
    current = svc.value.get("image")
    if not isinstance(current, str) or "image" not in svc.value:
        raise EditRefused("the service names no image of its own")
    svc.set("image", like(current, pinned(str(current))))
