"""The one JSON format every benchmark writes with --json PATH, read by bench/run_all.py:

    {"bench": "<name>", "rows": [{"name": str, "value": number, "unit": str, "floor": number | null,
                                  "ratio": number | null, "note": str}]}
"""
import json
import os


def row(name, value, unit, floor=None, ratio=None, note=""):
    """One measurement; `ratio` defaults to value / floor when there is a floor."""
    if ratio is None and floor:
        ratio = round(value / floor, 3)
    return {"name": name, "value": value, "unit": unit, "floor": floor, "ratio": ratio, "note": note}


def write_json(path, bench, rows):
    """Write the bench's rows to `path` (its folder created if needed)."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"bench": bench, "rows": [dict(r) for r in rows]}, handle, ensure_ascii=False, indent=1)
