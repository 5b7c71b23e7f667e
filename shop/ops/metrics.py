"""Prometheus metrics: requests and their latency by endpoint and status, notifications by kind and outcome, and
the queues of open refunds and open WeChat transfers, counted from the database at scrape time.

Under gunicorn with several workers, PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py) must be set before the app
starts: each worker then writes its values into that folder and /metrics adds up every worker's."""
import functools
import ipaddress
import logging
import os
import time

from flask import g, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db

log = logging.getLogger("shop.metrics")
REQUESTS = Counter("shop_http_requests_total", "Requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram("shop_http_request_duration_seconds", "Time to answer a request", ["endpoint", "status"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
NOTIFICATIONS = Counter("shop_notifications_total", "Gateway notifications by kind (payment, refund, transfer) "
                        "and outcome (applied, duplicate, refused, failed)", ["kind", "outcome"])


def init_app(app):
    app.after_request(observe)


def observe(response):
    """Count the request; the endpoint (not the URL) keeps the number of series fixed."""
    count(request.endpoint, request.method, response.status_code, g.get("started", time.perf_counter()))
    return response


def count(endpoint, method, status, started):
    """One request answered now that started at `started` (perf_counter)."""
    counter, latency = series(endpoint or "none", method, status)
    counter.inc()
    latency.observe(time.perf_counter() - started)


@functools.lru_cache(maxsize=4096)
def series(endpoint, method, status):
    """The request counter's and the latency histogram's children for these labels (looked up once, not per
    request: `labels()` validates and locks each time). The registry keeps every series anyway; this only
    remembers where they are."""
    return REQUESTS.labels(endpoint, method, str(status)), LATENCY.labels(endpoint, str(status))


class OpenQueues:
    """The work waiting on the gateway or on staff, read when Prometheus scrapes: one count statement each."""

    def collect(self):
        from ..payments.models import OPEN_REFUND_STATUSES, Refund
        from ..wallet.models import W_APPROVED, Withdrawal

        try:
            refunds = db.session.scalar(select(func.count()).where(Refund.status.in_(OPEN_REFUND_STATUSES)))
            transfers = db.session.scalar(select(func.count()).where(Withdrawal.method == "wechat",
                                                                     Withdrawal.status == W_APPROVED))
        except SQLAlchemyError as err:  # the database away: the request metrics are still served
            db.session.rollback()
            log.warning("metrics: open queues not counted: %s", str(err).splitlines()[0])
            return
        yield GaugeMetricFamily("shop_open_refunds", "Refunds requested, approved or processing", value=refunds)
        yield GaugeMetricFamily("shop_open_transfers", "WeChat withdrawal transfers sent and not ended",
                                value=transfers)


def exposition():
    """The Prometheus text of this process, or of every gunicorn worker in multiprocess mode, plus the queues."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    queues = CollectorRegistry()
    queues.register(OpenQueues())
    return generate_latest(registry) + generate_latest(queues)


def may_read(address, allow):
    """Whether `address` is in the comma-separated allow-list of addresses and networks (SHOP_METRICS_ALLOW)."""
    try:
        ip = ipaddress.ip_address(address or "")
        return any(ip in ipaddress.ip_network(item.strip(), strict=False) for item in allow.split(",") if item.strip())
    except ValueError:
        return False
