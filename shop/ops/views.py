"""/healthz and /metrics, for the load balancer and Prometheus; never rate-limited."""
from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST

from ..extensions import limiter
from . import health, metrics

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 {"database": "ok", "redis": "ok" | "off"}, else 503 naming the part that failed."""
    parts, ok = health.check()
    return parts, 200 if ok else 503


@bp.get("/metrics")
@limiter.exempt
def metrics_text():
    """Prometheus text, for the addresses in SHOP_METRICS_ALLOW only (403 for anyone else)."""
    if not metrics.may_read(request.remote_addr, current_app.config.get("METRICS_ALLOW") or ""):
        abort(403)
    return Response(metrics.exposition(), mimetype=CONTENT_TYPE_LATEST)
