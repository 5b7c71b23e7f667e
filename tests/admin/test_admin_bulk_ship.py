"""批量发货 with a carrier per row: each row its own carrier and tracking number, the carrier for all filling the
rows left blank, and what was typed checked all or nothing before any order ships (the page comes back with it and
names each order to fix); a refusal by an order's state stops only that order."""
import pytest
from sqlalchemy import select

from shop.orders.models import Order


@pytest.fixture
def three(db, paid_order):
    """Three paid orders."""
    return [paid_order() for _ in range(3)]


def ship(client, orders, rows, **extra):
    """POST the bulk form: rows = {order: (carrier, tracking number)} ticked."""
    data = {"ids": [str(o.id) for o in rows]}
    for order, (company, tracking) in rows.items():
        data[f"company_{order.id}"], data[f"tracking_{order.id}"] = company, tracking
    return client.post("/admin/orders/ship", data={**data, **extra})


def shipping(db):
    db.session.expire_all()
    return {o.id: (o.status, o.shipping_company, o.tracking_no) for o in db.session.scalars(select(Order))}


def test_each_row_ships_with_its_own_carrier(client, db, staff, three):
    first, second, third = three
    resp = ship(client, three, {first: ("顺丰速运", "SF1"), second: ("京东物流", "JD2"), third: ("", "ZT3")},
                company="中通快递")
    assert resp.status_code == 302
    assert "已发货 3 个订单" in client.get(resp.location).get_data(as_text=True)
    assert shipping(db) == {first.id: ("shipped", "顺丰速运", "SF1"), second.id: ("shipped", "京东物流", "JD2"),
                            third.id: ("shipped", "中通快递", "ZT3")}  # the blank row took the carrier for all


@pytest.mark.parametrize(("company", "tracking", "why"), [
    ("", "SF1", "填写了运单号，但没有选择物流公司"),
    ("顺丰速运", "  ", "没有填写运单号"),
    ("", "", "请填写物流公司和运单号"),
])
def test_an_incomplete_row_ships_nothing_and_names_its_order(client, db, staff, three, company, tracking, why):
    good, bad, _untouched = three
    before = shipping(db)
    resp = ship(client, three, {good: ("京东物流", "JD1"), bad: (company, tracking)})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "没有发货任何订单：以下订单的物流信息不完整" in html
    assert f"{bad.order_no}：{why}" in html and f"{good.order_no}：" not in html
    assert shipping(db) == before  # the complete row did not ship either


def test_the_refused_page_keeps_what_was_typed(client, staff, three):
    good, bad, untouched = three
    html = ship(client, three, {good: ("京东物流", "JD1"), bad: ("", "SF9")}, status="paid",
                sort="total", dir="asc").get_data(as_text=True)
    assert f'value="{good.id}" aria-label="选择 {good.order_no}" checked' in html
    assert f'value="{untouched.id}" aria-label="选择 {untouched.order_no}">' in html
    assert 'value="JD1"' in html and 'value="SF9"' in html
    row = html[html.index(f'name="company_{good.id}"'):html.index("</select>", html.index(f'name="company_{good.id}"'))]
    assert '<option value="京东物流" selected>' in row
    assert f'<tr id="order-{bad.id}" class="has-problem">' in html
    assert '<input type="hidden" name="sort" value="total">' in html  # the next try keeps the order
    assert 'href="/admin/orders/ship' not in html  # the headers link to the list, with its filters
    assert 'href="/admin/orders?status=paid&amp;sort=total&amp;dir=desc" data-sort="total"' in html


def test_rows_left_unticked_are_not_checked(client, db, staff, three):
    first, second, third = three
    resp = client.post("/admin/orders/ship", data={"ids": [str(first.id)], f"company_{first.id}": "顺丰速运",
                                                   f"tracking_{first.id}": "SF1", f"tracking_{second.id}": "X"})
    assert resp.status_code == 302
    assert shipping(db)[second.id][0] == "paid" and shipping(db)[first.id][0] == "shipped"


def test_the_list_offers_a_carrier_per_row_and_one_for_all(client, staff, three):
    html = client.get("/admin/orders?status=paid").get_data(as_text=True)
    for order in three:
        assert f'<select class="carrier" name="company_{order.id}"' in html
    assert 'id="bulk-carrier"' in html and 'data-apply-carrier="bulk-carrier"' in html
