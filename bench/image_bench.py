"""hullcheck image on a generated multi-layer image (500 MB+) vs the floor: decompress and list
the same layers in one Python process with tarfile. Not run in CI.

    PYTHONPATH=src:. python bench/image_bench.py [--mb 600] [--layers 6]

Besides the in-process times, ``hullcheck image`` and the floor each run as a process of their
own (best of 2): wall, CPU (user+system) and peak RSS of that process (bench/child_usage.py).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "image"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from child_usage import best_of, load_average
from image_builders import image_blobs, write_oci_layout

ROOT = Path(__file__).resolve().parents[1]
FLOOR = """
import sys, tarfile
for blob in sys.argv[1:]:
    with tarfile.open(blob, "r|gz") as tf:
        for _ in tf:
            pass
"""


def make_layer(rng: random.Random, size: int, index: int) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        done = 0
        i = 0
        while done < size:
            # a mix of many small files and some big ones, half-compressible content
            n = rng.choice((512, 4096, 16384, 65536, 1 << 20))
            data = rng.randbytes(n // 2) + b"\0" * (n - n // 2)
            info = tarfile.TarInfo(f"l{index}/d{i % 97}/f{i}")
            info.size = len(data)
            info.mode = 0o644
            tf.addfile(info, io.BytesIO(data))
            done += n
            i += 1
    return buf.getvalue()


def floor(layout: Path, digests: list[str]) -> float:
    start = time.perf_counter()
    for d in digests:
        with tarfile.open(layout / "blobs" / "sha256" / d.split(":")[1], "r|gz") as tf:
            for _ in tf:
                pass
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=600)
    ap.add_argument("--layers", type=int, default=6)
    a = ap.parse_args()
    rng = random.Random(1)
    layers = [make_layer(rng, (a.mb << 20) // a.layers, i) for i in range(a.layers)]
    manifest, _cfg, blobs = image_blobs(layers)
    import json

    layer_digests = [d["digest"] for d in json.loads(manifest)["layers"]]
    with tempfile.TemporaryDirectory() as tmp:
        layout = write_oci_layout(Path(tmp) / "oci", manifest, blobs)
        del blobs, layers
        total = sum(
            os.path.getsize(layout / "blobs/sha256" / d.split(":")[1]) for d in layer_digests
        )
        from hullcheck.commands import image as cmd
        from hullcheck.config import Config
        from hullcheck.rules.base import Context

        parser = argparse.ArgumentParser()
        cmd.add_arguments(parser)
        args = parser.parse_args([str(layout)])
        t_floor = min(floor(layout, layer_digests) for _ in range(2))
        t_ours = []
        for _ in range(2):
            start = time.perf_counter()
            report = cmd.run(args, Context(Config()))
            t_ours.append(time.perf_counter() - start)
            assert not report.errors, report.errors
        ours = min(t_ours)
        print(f"image: {a.mb} MiB uncompressed in {a.layers} layers, {total >> 20} MiB gzip")
        print(f"tarfile floor (r|gz, list members): {t_floor:.2f} s")
        print(f"hullcheck image (OCI layout):        {ours:.2f} s  ({ours / t_floor:.2f}x)")
        env = dict(os.environ)
        env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
        blob_paths = [str(layout / "blobs/sha256" / d.split(":")[1]) for d in layer_digests]
        floor_proc = best_of(2, [sys.executable, "-c", FLOOR, *blob_paths], env)
        ours_proc = best_of(2, [sys.executable, "-m", "hullcheck", "image", str(layout),
                                "--format", "json", "--fail-on", "never"], env)
        print(f"as processes (best of 2, {load_average()}):")
        print(f"  tarfile floor:   {floor_proc.row()}")
        print(f"  hullcheck image: {ours_proc.row()}")


if __name__ == "__main__":
    main()
