"""Run the load mix with locust (bench/loadkit/locust_users.py) in a process of its own, and bring back what it
recorded: the Recorder the checks read, and locust's own table per kind of request."""
import dataclasses
import json
import os
import subprocess
import tempfile

from bench.loadkit.client import Recorder
from bench.loadkit.stack import ROOT, VENV_BIN, log_tail


def run_swarm(env, base, seeded, seconds, shoppers=8, distributors=2, seed=1):
    """(Recorder, locust rows) of `seconds` of load on `base`; `env` is the environment of the gunicorn under load
    (its SHOP_DATABASE_URL and SHOP_INSTANCE_PATH)."""
    with tempfile.TemporaryDirectory(prefix="shop-swarm-") as tmp:
        seeded_file, out, log = (os.path.join(tmp, name) for name in ("seeded.json", "out.json", "locust.log"))
        with open(seeded_file, "w") as handle:
            json.dump(dataclasses.asdict(seeded), handle)
        cmd = [os.path.join(VENV_BIN, "python"), "-m", "bench.loadkit.locust_users", "--base", base,
               "--seeded", seeded_file, "--out", out, "--seconds", str(seconds), "--shoppers", str(shoppers),
               "--distributors", str(distributors), "--seed", str(seed)]
        with open(log, "wb") as handle:
            done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                  timeout=seconds + 300)
        if done.returncode != 0 or not os.path.exists(out):
            raise RuntimeError(f"locust exited with {done.returncode}:\n{log_tail(log)}")
        with open(out) as handle:
            data = json.load(handle)
    if data["exceptions"]:
        raise RuntimeError(f"locust users raised: {data['exceptions'][:3]}")
    rec = Recorder()
    for kind, samples in data["samples"].items():
        rec.samples[kind] = [tuple(s) for s in samples]
    rec.bad = [tuple(b) for b in data["bad"]]
    rec.outcomes.update(data["outcomes"])
    return rec, data["locust"]


def print_locust_table(rows):
    print(f"\nlocust's statistics\n{'request':<20}{'method':<7}{'count':>8}{'failed':>8}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}"
          f"{'req/s':>8}")
    for row in rows:
        print(f"{row['name']:<20}{row['method']:<7}{row['requests']:>8}{row['failures']:>8}{row['p50']:>10.0f}{row['p90']:>10.0f}"
              f"{row['p99']:>10.0f}{row['rps']:>8.1f}")
