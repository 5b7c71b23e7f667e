"""Structured logs: one access line per request, one line per gateway notification with its outcome, both with
the request id (nginx's X-Request-ID when well formed, else a new one, echoed in the response)."""
import json
import logging

import pytest

from shop.ops import logs
from shop.payments import refunds
from shop.payments.gateways import sandbox
from shop.payments.models import PROCESSING


@pytest.fixture
def lines(caplog):
    """lines(logger) -> the JSON objects that logger wrote, as SHOP_LOG_FORMAT=json prints them."""
    caplog.set_level(logging.INFO)

    def read(name):
        return [json.loads(logs.JSON.format(r)) for r in caplog.records if r.name == name]

    return read


def test_one_access_line_per_request_with_the_request_id_from_nginx(client, lines):
    resp = client.get("/", headers={"X-Request-ID": "0f3c2a9be1d84c7a9d6b5e4f3a2b1c0d"})
    assert resp.headers["X-Request-ID"] == "0f3c2a9be1d84c7a9d6b5e4f3a2b1c0d"
    [line] = lines("shop.access")
    assert {k: line[k] for k in ("level", "request_id", "method", "path", "status", "ip")} == {
        "level": "INFO", "request_id": "0f3c2a9be1d84c7a9d6b5e4f3a2b1c0d", "method": "GET", "path": "/",
        "status": 200, "ip": "127.0.0.1"}
    assert isinstance(line["ms"], float) and line["ts"] and line["user_id"] is None


@pytest.mark.parametrize("sent", [None, "", "short", "has space in it", "x" * 200, "<script>alert(1)</script>"])
def test_a_missing_or_malformed_request_id_is_replaced(client, lines, sent):
    resp = client.get("/healthz", headers={"X-Request-ID": sent} if sent is not None else {})
    made = resp.headers["X-Request-ID"]
    assert made != sent and len(made) == 32 and int(made, 16) >= 0
    assert lines("shop.access")[0]["request_id"] == made


def test_the_access_line_names_the_signed_in_member(client, login, make_user, lines):
    user = make_user()
    login(user)
    client.get("/me")
    assert lines("shop.access")[-1]["user_id"] == str(user.id)


def test_every_notification_logs_its_outcome(db, place, notify, lines):
    order = place()
    assert notify(order.order_no, 10000, transaction_id="4200000000000001").status_code == 204
    assert notify(order.order_no, 10000, transaction_id="4200000000000001").status_code == 204
    assert notify(order.order_no, 9999, transaction_id="4200000000000002").status_code == 400
    got = [(x["kind"], x["order_no"], x["outcome"], x["level"]) for x in lines("shop.notify")]
    assert got == [("payment", order.order_no, "applied", "INFO"), ("payment", order.order_no, "duplicate", "INFO"),
                   ("payment", order.order_no, "refused", "WARNING")]
    access = {x["request_id"] for x in lines("shop.access")}
    assert {x["request_id"] for x in lines("shop.notify")} <= access
    assert lines("shop.notify")[2]["why"]


def test_a_forged_notification_is_refused_and_says_why(app, lines):
    resp = app.test_client().post("/pay/notify/sandbox", data=b"{}", content_type="application/json")
    assert resp.status_code >= 400 and resp.json["code"] == "FAIL"
    [line] = lines("shop.notify")
    assert line["outcome"] == "refused" and line["kind"] == "unknown" and line["why"]


def test_refund_notifications_log_applied_then_duplicate(app, db, shop, paid_order, lines):
    order = paid_order()
    refund = refunds.request_refund(shop.buyer, order, "坏了", {order.lines[0].id: 1})
    refund.status = PROCESSING
    db.session.commit()
    headers, body = sandbox.build_notification(order.order_no, "4200", 10000, event_type="REFUND.SUCCESS",
                                               refund_no=refund.refund_no)
    for _ in range(2):
        resp = app.test_client().post("/pay/refund-notify/sandbox", data=body, headers=headers,
                                      content_type="application/json")
        assert resp.status_code == 204
    got = [(x["kind"], x["refund_no"], x["order_no"], x["outcome"]) for x in lines("shop.notify")[-2:]]
    assert got == [("refund", refund.refund_no, order.order_no, "applied"),
                   ("refund", refund.refund_no, order.order_no, "duplicate")]


def test_json_format_installs_one_handler():
    root = logging.getLogger()
    looked_up = logging._srcfile, logging.logMultiprocessing
    try:
        first, again = logs.configure("json"), logs.configure("json")
        assert first is again and first.formatter is logs.JSON
        assert [h for h in root.handlers if h.get_name() == logs.HANDLER_NAME] == [first]
        assert logs.configure("text").formatter is logs.TEXT
        # Neither format shows where a line came from: logging no longer walks the stack to find out.
        assert (logging._srcfile, logging.logMultiprocessing) == (None, False)
    finally:
        root.removeHandler(logs.configure("text"))
        logging._srcfile, logging.logMultiprocessing = looked_up


def test_the_access_line_never_loads_the_member_again(app, db, make_user):
    """After a commit the member's row is expired; naming it in the access line must not query (with the database
    away that query failed after the error handlers and became a bare 500)."""
    from shop.sql import count_statements

    user = make_user()
    expected = str(user.id)
    db.session.commit()  # expires every attribute, user.id included
    with count_statements() as seen:
        assert logs.signed_in_user_id({"_login_user": user}) == expected
    assert len(seen) == 0
    assert logs.signed_in_user_id({}) is None
    assert logs.signed_in_user_id({"_login_user": app.login_manager.anonymous_user()}) is None
