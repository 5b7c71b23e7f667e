"""bench/run_all.py: one table from every bench's --json, medians over runs, a clear line for a bench that cannot run."""
import json
import os
import subprocess
import sys
from types import SimpleNamespace

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import run_all  # noqa: E402


def test_quick_run_of_the_team_page_bench_writes_medians_with_their_floor(tmp_path):
    out = tmp_path / "results.json"
    env = {k: v for k, v in os.environ.items() if k not in ("SHOP_TEST_DATABASE_URL", "SHOP_BENCH_DATABASE_URL")}
    done = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "run_all.py"), "--quick", "--only", "tree_10",
                           "--runs", "1", "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    pages = [r for r in report["rows"] if r["name"].startswith("team page")]
    assert len(pages) == 2 and report["failures"] == []
    for r in pages:
        assert r["bench"] == "tree_10" and r["unit"] == "ms" and r["value"] > 0 and r["floor"] > 0
        assert abs(r["ratio"] - r["value"] / r["floor"]) <= 0.01 * r["ratio"] + 0.01
    assert "team page level 1, root of 10 members" in done.stdout


def test_a_missing_script_is_reported_not_fatal(tmp_path):
    ghost = run_all.Bench("ghost", "no_such_bench.py")
    rows, why = run_all.run_once(ghost, SimpleNamespace(database_url=None, quick=True, timeout=10), str(tmp_path))
    assert rows is None and "does not exist" in why


def test_figures_are_medians_and_ratios_are_taken_within_each_run():
    runs = [[{"name": "x", "value": v, "unit": "ms", "floor": f, "ratio": round(v / f, 3), "note": ""}]
            for v, f in ((10, 5), (30, 10), (12, 2))]
    [row] = run_all.combine(run_all.Bench("b", "b.py"), runs)
    assert (row["value"], row["floor"], row["ratio"], row["runs"]) == (12, 5, 3.0, 3)
