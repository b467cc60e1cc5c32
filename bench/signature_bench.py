# ruff: noqa: E402
"""Verify a cosign signature (classic and bundle) on a loopback docker-registry; not run in CI.

PYTHONPATH=src:. python bench/signature_bench.py

Then ``hullcheck image --remote --key`` verifies each signed image end to end as a process of its
own (interpreter start, manifest, layers, every image rule): wall, CPU and peak RSS, best of 5.
"""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "image"), str(ROOT / "tests" / "live" / "image"),
                str(ROOT / "bench")]

import json
import os
import subprocess
import time
from pathlib import Path

from child_usage import best_of, load_average
from image_builders import sigstore_bundle
from image_live import Registry, _start_registry
from test_image_registry import SIGNER, attach_bundles, push_image, sign_classic

from hullcheck.trust import policy
from hullcheck.trust.registry import RegistryOptions

tmp = Path(tempfile.mkdtemp())
proc, host = _start_registry(tmp, None)
try:
    reg = Registry(host)
    key = SIGNER.write_public(tmp / "k.pub")
    opts = RegistryOptions(insecure=frozenset({host}))
    for form in ("classic", "bundle"):
        d, s = push_image(reg, f"b/{form}", "1")
        sign_classic(reg, f"b/{form}", d) if form == "classic" else attach_bundles(
            reg, f"b/{form}", d, s, [sigstore_bundle(SIGNER, d)]
        )
        ref = policy.parse_reference(f"{host}/b/{form}:1")
        policy.verify_signature(ref, [key], opts)
        ts = []
        for _ in range(10):
            t = time.perf_counter()
            v = policy.verify_signature(ref, [key], opts)
            ts.append(time.perf_counter() - t)
            assert v.ok
        print(form, f"median {sorted(ts)[5] * 1000:.1f} ms, max {max(ts) * 1000:.1f} ms")
        env = dict(os.environ)
        env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
        cli = [sys.executable, "-m", "hullcheck", "image", "--remote", "--key", str(key),
               "--insecure-registry", host, f"{host}/b/{form}:1", "--format", "json",
               "--fail-on", "never"]
        doc = json.loads(subprocess.run(cli, env=env, capture_output=True, check=True).stdout)
        assert not doc["errors"], doc["errors"]
        assert "IMG017" not in {f["rule"] for f in doc["findings"]}, "signature not verified"
        print(form, "hullcheck image --key (process, best of 5):", best_of(5, cli, env).row(),
              f"({load_average()})")
finally:
    proc.terminate()
    proc.wait()
