#!/usr/bin/env python3
"""A sharded Kairos sweep on a dask.distributed cluster: one task per shard, then the merge.

    python scripts/dask/kairos_dask.py --scheduler tcp://127.0.0.1:8786 --shards 8 --out OUT \
        [--merge "--top 1000 --by sharpe --aggregate fast,slow"] [--rerun 2,5] -- SWEEP-ARGS...

Each task runs `kairos sweep SWEEP-ARGS... --shard i/n --threads 1 --quiet` on a worker, in a
temporary folder of its own, and returns the part and its manifest: their bytes (no shared
filesystem needed), or with --shared (OUT is visible to every worker) the path and SHA-256 of a
part written straight into OUT. The client writes each part atomically into OUT as it arrives,
then runs `kairos sweep merge`, which checks the set and writes OUT/results.csv, byte-identical
to the unsharded run. If any shard fails, the run fails with that shard's error and nothing is
merged; the parts that succeeded stay in OUT, so --rerun re-runs only the failed shards.

The same code runs unchanged on a dask-jobqueue cluster (SLURMCluster, PBSCluster, ...): pass
its scheduler address, or call `run_sweep(client, ...)` from your own script. The `kairos`
binary must be on every worker (--kairos PATH, or on PATH).
"""
import argparse
import hashlib
import os
import shlex
import subprocess
import sys
import tempfile


def run_shard(kairos, sweep_args, index, count, shared_out=None):
    """Runs on a worker: shard index/count; returns (index, part bytes or None, manifest bytes, sha256)."""
    import hashlib, os, subprocess, tempfile  # noqa: E401 (the function is shipped by value)
    folder = shared_out or tempfile.mkdtemp(prefix=f"kairos-shard-{index}-")
    part = os.path.join(folder, f"part-{index}.csv")
    command = [kairos, "sweep", *sweep_args, "--shard", f"{index}/{count}", "--threads", "1", "--quiet", "--out", part]
    done = subprocess.run(command, capture_output=True)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError(f"shard {index}/{count} failed (exit {done.returncode}): {message[-1] if message else '(no message)'}")
    manifest = os.path.join(folder, f"part-{index}.manifest.json")
    with open(manifest, "rb") as f:
        manifest_bytes = f.read()
    if shared_out:
        digest = hashlib.sha256()
        with open(part, "rb") as f:
            for block in iter(lambda: f.read(1 << 22), b""):
                digest.update(block)
        return index, None, manifest_bytes, digest.hexdigest()
    with open(part, "rb") as f:
        data = f.read()
    os.remove(part); os.remove(manifest); os.rmdir(folder)
    return index, data, manifest_bytes, hashlib.sha256(data).hexdigest()


def write_atomically(path, data):
    temporary = f"{path}.partial-{os.getpid()}"
    with open(temporary, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def run_sweep(client, sweep_args, shards, out, kairos="kairos", merge_args=(), rerun=None, shared=False):
    """Submits the shards (all, or `rerun`), stores their parts in `out`, merges. Returns the
    merge's exit code; raises RuntimeError naming every failed shard."""
    from dask.distributed import as_completed
    os.makedirs(out, exist_ok=True)
    indexes = sorted(rerun) if rerun else list(range(shards))
    futures = [client.submit(run_shard, kairos, list(sweep_args), i, shards, os.path.abspath(out) if shared else None,
                             key=f"kairos-shard-{i}-of-{shards}-{os.getpid()}", pure=False, retries=0) for i in indexes]
    failures = []
    for future in as_completed(futures):
        try:
            index, data, manifest, sha256 = future.result()
        except Exception as error:  # one shard's error; the others still finish and are kept
            failures.append(str(error))
            continue
        if data is not None:
            if hashlib.sha256(data).hexdigest() != sha256:
                failures.append(f"shard {index}/{shards}: the part changed in transit")
                continue
            write_atomically(os.path.join(out, f"part-{index}.csv"), data)
            write_atomically(os.path.join(out, f"part-{index}.manifest.json"), manifest)
        print(f"shard {index}/{shards} done", file=sys.stderr)
    if failures:
        failed = sorted(int(f.split()[1].split("/")[0]) for f in failures if f.startswith("shard "))
        raise RuntimeError("; ".join(sorted(failures)) + f" — re-run only those: --rerun {','.join(map(str, failed))}")
    parts = [os.path.join(out, f"part-{i}.csv") for i in range(shards)]
    return subprocess.run([kairos, "sweep", "merge", *parts, "--out", os.path.join(out, "results.csv"), *merge_args]).returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     usage="%(prog)s --scheduler ADDRESS --shards N --out OUT [options] -- SWEEP-ARGS...")
    parser.add_argument("--scheduler", required=True, help="the dask scheduler, e.g. tcp://127.0.0.1:8786")
    parser.add_argument("--shards", type=int, required=True, help="number of shards (tasks)")
    parser.add_argument("--out", required=True, help="folder for the parts and results.csv")
    parser.add_argument("--kairos", default="kairos", help="the kairos binary on the workers (default: kairos on PATH)")
    parser.add_argument("--merge", default="", help="arguments for kairos sweep merge, e.g. \"--top 100 --by sharpe\"")
    parser.add_argument("--rerun", default="", help="only these shards, e.g. 2,5 (after a failure)")
    parser.add_argument("--shared", action="store_true", help="OUT is on a filesystem every worker sees: parts are written there")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for the scheduler")
    parser.add_argument("sweep", nargs=argparse.REMAINDER, help="after --: the arguments of kairos sweep")
    a = parser.parse_args()
    sweep = a.sweep[1:] if a.sweep[:1] == ["--"] else a.sweep
    if a.shards < 1 or not sweep:
        parser.error("give --shards N >= 1 and the sweep's arguments after --")
    rerun = [int(x) for x in a.rerun.split(",") if x] or None
    if rerun and not all(0 <= i < a.shards for i in rerun):
        parser.error(f"--rerun: shard indexes are 0..{a.shards - 1}")
    from dask.distributed import Client
    with Client(a.scheduler, timeout=a.timeout) as client:
        try:
            code = run_sweep(client, sweep, a.shards, a.out, a.kairos, shlex.split(a.merge), rerun, a.shared)
        except RuntimeError as error:
            print(f"kairos_dask: {error}", file=sys.stderr)
            return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
