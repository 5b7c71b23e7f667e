"""操作日志: every change made in the admin is recorded with who, when, from where, what, and the values before
and after; ORM edits and the services' guarded bulk UPDATEs alike; secrets never; a refused change leaves no
entry. The log page filters by staff member, area and date."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.clock import utcnow
from shop.payments import refunds
from shop.staff.models import OperationLog
from shop.wallet import ledger, withdrawals


def entries(db, area=None):
    db.session.expire_all()
    stmt = select(OperationLog).order_by(OperationLog.id)
    return db.session.scalars(stmt.where(OperationLog.area == area) if area else stmt).all()


def change(entry, table, action="update"):
    """The one change of `table` in an entry (asserting there is exactly one)."""
    found = [c for c in entry.changes if c["table"] == table and c["action"] == action]
    assert len(found) == 1, entry.changes
    return found[0]


def test_a_product_edit_records_the_title_before_and_after(client, db, staff, make_product, product_form,
                                                           post_product):
    product = make_product("旧标题", skus=((5900, 10, ["红", "M"]),))
    sku = product.skus[0]
    resp = post_product(product_form("新标题", skus=(("红,M", "69.00", "10", "", str(sku.id)),)),
                        product_id=product.id)
    assert resp.status_code == 302
    [entry] = entries(db, "products")
    assert (entry.staff_id, entry.endpoint, entry.target) == (staff.id, "admin.products.edit",
                                                              f"product_id={product.id}")
    assert entry.ip == "127.0.0.1" and entry.created_at > utcnow() - timedelta(minutes=1)
    assert change(entry, "products")["values"]["title"] == ["旧标题", "新标题"]
    assert change(entry, "skus")["values"]["price_fen"] == [5900, 6900]
    assert entry.form["title"] == "新标题"


def test_a_refund_approval_records_the_decision_and_the_guarded_updates(client, db, shop, paid_order, staff):
    order = paid_order(quantity=2)
    refund = refunds.request_refund(shop.buyer, order, "不合适", {order.lines[0].id: 1})
    assert client.post(f"/admin/refunds/{refund.refund_no}/approve").status_code == 302
    logged = entries(db, "refunds")
    assert logged and {e.endpoint for e in logged} == {"admin.refunds.approve"}
    changes = [c for e in logged for c in e.changes if c["table"] == "refunds" and c["id"] == refund.id]
    statuses = [c["values"]["status"] for c in changes if "status" in c["values"]]
    assert statuses[0] == ["requested", "approved"] and ["approved", "processing"] in statuses
    decided = next(c["values"]["decided_by"] for c in changes if "decided_by" in c["values"])
    assert decided == [None, staff.id]


def test_a_withdrawal_rejection_records_the_guarded_update_and_the_ledger(client, db, staff, make_distributor):
    user = make_distributor().user
    ledger.post(user.id, "adjustment", available=10000, ref_type="adjustment", ref_id=0)
    w = withdrawals.request_withdrawal(user.id, 5000, "alipay", {"account": "a@example.com", "name": "张三"})
    db.session.commit()
    resp = client.post(f"/admin/withdrawals/{w.id}/reject", data={"reason": "信息有误"})
    assert resp.status_code == 302
    [entry] = entries(db, "withdrawals")
    row = change(entry, "withdrawals")["values"]
    assert row["status"] == ["requested", "rejected"] and row["reject_reason"] == [None, "信息有误"]
    assert row["decided_by"] == [None, staff.id]
    balance = change(entry, "accounts")["values"]
    assert balance["available_fen"] == [5000, 10000] and balance["withdrawing_fen"] == [5000, 0]
    assert change(entry, "ledger_entries", "insert")["values"]["actor_id"] == [None, staff.id]
    assert entry.target == f"withdrawal_id={w.id}" and entry.form == {"reason": "信息有误"}


def test_a_settings_change_records_the_values_before_and_after(client, db, staff, settings):
    settings(shipping_fee_fen=500)
    assert client.post("/admin/settings", data={"shipping_fee": "8.00", "free_shipping_threshold": "120"}
                       ).status_code == 302
    [entry] = entries(db, "settings")
    values = {c["id"]: (c["action"], c["values"]["value"]) for c in entry.changes}
    assert values["shipping_fee_fen"] == ("update", [500, 800])
    assert values["free_shipping_threshold_fen"] == ("insert", [None, 12000])


def test_a_staff_change_records_the_role_and_never_a_password(client, db, staff, make_staff):
    clerk = make_staff(role="viewer", display_name="小王")
    client.post(f"/admin/staff/{clerk.id}/edit", data={"display_name": "小王", "role": "finance"})
    client.post(f"/admin/staff/{clerk.id}/password", data={"password": "a-new-secret-1"})
    client.post("/admin/staff/new", data={"login": "li", "display_name": "小李", "role": "operator",
                                          "password": "another-secret-2"})
    edit, password, new = entries(db, "staff")
    assert change(edit, "staff")["values"] == {"role": ["viewer", "finance"]}
    assert change(password, "staff")["values"] == {"password_hash": ["***", "***"], "session_version": [1, 2]}
    assert password.form == {"password": "***"}
    created = change(new, "staff", "insert")["values"]
    assert created["login"] == [None, "li"] and created["password_hash"] == ["***", "***"]
    everything = str([(e.form, e.changes) for e in entries(db)])
    assert "a-new-secret-1" not in everything and "another-secret-2" not in everything
    assert "scrypt" not in everything and "pbkdf2" not in everything


def test_a_refused_change_and_a_page_view_leave_no_entry(client, db, staff):
    client.get("/admin/settings")
    client.post("/admin/settings", data={"shipping_fee": "abc", "free_shipping_threshold": "1"})
    client.post("/admin/staff/new", data={"login": "x", "role": "operator", "password": "short"})
    assert entries(db) == []


@pytest.fixture
def logged(db, make_staff):
    """Three entries: the owner's product edit today and settings change three days ago, a clerk's today."""
    owner, clerk = make_staff(display_name="店长"), make_staff(role="operator", display_name="运营小张")
    now = utcnow()
    db.session.add_all([
        OperationLog(staff_id=owner.id, area="products", endpoint="admin.products.edit", target="product_id=1",
                     form={}, changes=[{"table": "products", "id": 1, "action": "update",
                                        "values": {"title": ["旧标题", "新标题"]}}], created_at=now),
        OperationLog(staff_id=owner.id, area="settings", endpoint="admin.settings.index", form={},
                     changes=[], created_at=now - timedelta(days=3)),
        OperationLog(staff_id=clerk.id, area="orders", endpoint="admin.orders.ship", target="order_no=O1", form={},
                     changes=[], created_at=now)])
    db.session.commit()
    return owner, clerk


def test_the_log_page_shows_readable_diffs_and_filters(client, db, logged):
    from tests.conftest import login_staff

    owner, clerk = logged
    login_staff(client, owner)
    html = client.get("/admin/oplog").get_data(as_text=True)
    assert "旧标题" in html and "新标题" in html and "运营小张" in html and "product_id=1" in html

    def shown(query):
        html = client.get("/admin/oplog" + query).get_data(as_text=True)
        return {area for area in ("products", "settings", "orders") if f'<span class="tag">{area}</span>' in html}

    assert shown("") == {"products", "settings", "orders"}
    assert shown(f"?staff={clerk.id}") == {"orders"}
    assert shown("?area=settings") == {"settings"}
    today = (utcnow() + timedelta(hours=8)).date().isoformat()
    assert shown(f"?start={today}") == {"products", "orders"}
    assert shown(f"?end={(utcnow() + timedelta(hours=8) - timedelta(days=2)).date().isoformat()}") == {"settings"}
    for junk in ("?staff=x", "?area=<b>", "?start=2026-99-99", "?page=abc", "?end=;drop"):
        assert client.get("/admin/oplog" + junk).status_code == 200
