"""What the load and fault tests share: orders placed in-process, the gateway's notifications over HTTP, and reads
from a plain connection of the test's own."""
import http.client
import os
import time

import psycopg

#: gunicorn config of the fault tests: connects the pause inside the payment transaction.
FAULT_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fault_gunicorn.py")


def place(mall, shopper=0, product=1, quantity=1):
    """An unpaid order of the seeded shopper, placed through the service: (order_no, pay_total_fen)."""
    from shop.accounts.models import User
    from shop.extensions import db
    from shop.orders.services import place_order

    user_id, _phone, address_id = mall.seeded.shoppers[shopper]
    with mall.app.app_context():
        order = place_order(db.session.get(User, user_id), [(mall.seeded.products[product][1], quantity)], address_id)
        found = order.order_no, order.pay_total_fen
        db.session.remove()
    return found


def notification(mall, order_no, amount_fen, transaction_id):
    """The sandbox gateway's signed TRANSACTION.SUCCESS for the order: (headers, body)."""
    from shop.payments.gateways import sandbox

    with mall.app.app_context():
        return sandbox.build_notification(order_no, transaction_id, amount_fen)


def send(server, note, timeout=60):
    """POST the notification to gunicorn: (status, body), or (None, error) when the connection broke."""
    headers, body = note
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
        conn.request("POST", "/pay/notify/sandbox", body=body, headers={**headers, "Content-Type": "application/json"})
        resp = conn.getresponse()
        answer = resp.status, resp.read()
        conn.close()
        return answer
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}".encode()


def retry_until_acknowledged(server, note, seconds=30):
    """The gateway retries a notification until it is answered 2xx: the last (status, body)."""
    deadline = time.monotonic() + seconds
    answer = send(server, note)
    while answer[0] != 204 and time.monotonic() < deadline:
        time.sleep(0.5)
        answer = send(server, note)
    return answer


def connect(mall):
    return psycopg.connect(f"postgresql://postgres@127.0.0.1:{mall.stack.pg.port}/{mall.database}")


def scalar(mall, sql, *params):
    with connect(mall) as conn:
        return conn.execute(sql, params).fetchone()[0]


def wait_for(predicate, seconds=30, step=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def order_money(mall, order_no):
    """(order status, applied payments, commissions, commission ledger entries) of one order."""
    with connect(mall) as conn:
        order_id, status = conn.execute("SELECT id, status FROM orders WHERE order_no = %s", (order_no,)).fetchone()
        payments = conn.execute("SELECT count(*) FROM payments WHERE order_id = %s AND status = 'applied'",
                                (order_id,)).fetchone()[0]
        commissions = conn.execute("SELECT count(*) FROM commissions WHERE order_id = %s", (order_id,)).fetchone()[0]
        entries = conn.execute("SELECT count(*) FROM ledger_entries WHERE ref_type = 'commission' AND ref_id IN "
                               "(SELECT id FROM commissions WHERE order_id = %s)", (order_id,)).fetchone()[0]
    return status, payments, commissions, entries
