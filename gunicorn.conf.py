"""Gunicorn settings (gunicorn reads ./gunicorn.conf.py by itself): `gunicorn wsgi:app`. Command-line flags win.

- SHOP_BIND (default 127.0.0.1:8000): where nginx sends requests; SHOP_WORKERS (default 2 per core + 1) and
  SHOP_THREADS (default 1).
- Behind nginx set SHOP_PROXY_HOPS=1 (the app reads X-Forwarded-For through ProxyFix; see docs/architecture.md).
- Access log off: the app writes one JSON line per request itself (logger shop.access, SHOP_LOG_FORMAT=json).
- worker_tmp_dir on /dev/shm: the workers' heartbeat files stay off a disk that may stall.
- Prometheus with several workers: export PROMETHEUS_MULTIPROC_DIR=/run/shop-metrics (an empty folder the app's
  user can write, set BEFORE gunicorn starts). Each worker then writes its counters there, /metrics adds up
  every worker's, the folder is emptied when gunicorn starts and a dead worker's gauges are dropped (child_exit).
  Without it each worker answers /metrics with its own counts only.
"""
import multiprocessing
import os

bind = os.environ.get("SHOP_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SHOP_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("SHOP_THREADS", 1))
worker_tmp_dir = "/dev/shm"
accesslog = None
#: A request that takes longer is cut (the worker restarted); notifications answer well within it.
timeout = int(os.environ.get("SHOP_WORKER_TIMEOUT", 30))
graceful_timeout = 20


def on_starting(server):
    """Empty the metrics folder of a previous run (its counts belong to processes long gone)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    """Drop a dead worker's live gauges (prometheus_client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
