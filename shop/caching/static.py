"""Fingerprinted static files: `url_for('static', filename=...)` adds `?v=<content hash>`, and a request carrying
the file's current hash is cached for a year (immutable); any other static request gets a short cache, so a file
asked for without its hash (or with an old one) is looked at again soon."""
import hashlib
import os
import threading

from flask import request

YEAR = 31536000
_lock = threading.Lock()
_hashes = {}  # full path -> (mtime_ns, size, hash)


def file_hash(folder, filename):
    """The first 12 hex digits of the file's SHA-256, recomputed only when its mtime or size changes; None when
    there is no such file."""
    path = os.path.join(folder, filename)
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    known = _hashes.get(path)
    if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
        return known[2]
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()[:12]
    with _lock:
        _hashes[path] = (stat.st_mtime_ns, stat.st_size, digest)
    return digest


def init_app(app):
    short = app.config["STATIC_MAX_AGE"]

    @app.url_defaults
    def fingerprint(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = file_hash(app.static_folder, values["filename"])
            if digest:
                values["v"] = digest

    @app.after_request
    def static_cache(response):
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        fresh = request.args.get("v") and request.args["v"] == file_hash(app.static_folder, request.view_args["filename"])
        response.cache_control.public = True
        response.cache_control.max_age = YEAR if fresh else short
        response.cache_control.immutable = bool(fresh)
        response.cache_control.no_cache = None
        return response
