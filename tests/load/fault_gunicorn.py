"""gunicorn config for the fault tests only (`-c tests/load/fault_gunicorn.py`), never for production.

Each worker connects a receiver to `shop.payments.services.payment_applied`, the signal the payment transaction
sends after the order is marked paid and its commissions and ledger entries are written, just before commit.
While the file $SHOP_FAULT_DIR/pause exists, the first notification to claim it (an atomic rename) flushes its
writes to PostgreSQL, writes "<pid> <order_no>" to $SHOP_FAULT_DIR/paused and sleeps inside the open transaction,
so the test can SIGKILL that worker at a known point. Production code has no branch for this: the hook is the
signal that already exists, connected by the test harness.
"""
import os
import time

from blinker import signal

# The project's own settings first (./gunicorn.conf.py, which -c replaces), so only the hook below differs.
_PROJECT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "gunicorn.conf.py")
if os.path.exists(_PROJECT):
    with open(_PROJECT) as _handle:
        exec(compile(_handle.read(), _PROJECT, "exec"))


def _pause_once(sender, order=None, **_kw):
    folder = os.environ.get("SHOP_FAULT_DIR")
    if not folder:
        return
    claim = os.path.join(folder, "pause")
    try:
        os.rename(claim, f"{claim}.{os.getpid()}")
    except FileNotFoundError:
        return
    from shop.extensions import db

    db.session.flush()
    with open(os.path.join(folder, "paused.tmp"), "w") as handle:
        handle.write(f"{os.getpid()} {order.order_no}")
    os.rename(os.path.join(folder, "paused.tmp"), os.path.join(folder, "paused"))
    time.sleep(120)


def post_worker_init(worker):
    signal("payment-applied").connect(_pause_once, weak=False)
