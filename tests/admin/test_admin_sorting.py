"""Sortable admin lists (shop/admin/sorting.py): every whitelisted column in both directions, anything else the
default without an error, the order really changing, and the choice kept by the pager, the filters and the bulk
forms, in the same number of statements."""
import io
import re

import pytest
from sqlalchemy import select

from shop.admin.alerts.services import SORTING as ALERTS
from shop.admin.commissions.services import SORTING as COMMISSIONS
from shop.admin.distribution.queries import SORTING as DISTRIBUTORS
from shop.admin.members.services import SORTING as MEMBERS
from shop.admin.oplog.services import SORTING as OPLOG
from shop.admin.orders.queries import SORTING as ORDERS
from shop.admin.products.services import SORTING as PRODUCTS
from shop.admin.refunds.services import SORTING as REFUNDS
from shop.admin.staff.services import SORTING as STAFF
from shop.admin.withdrawals.services import SORTING as WITHDRAWALS
from shop.payments import refunds
from shop.payments.models import PaymentAlert
from shop.sql import count_statements
from shop.wallet import ledger, withdrawals

LISTS = {"/admin/orders": ORDERS, "/admin/members": MEMBERS, "/admin/distribution/distributors": DISTRIBUTORS,
         "/admin/commissions": COMMISSIONS, "/admin/withdrawals": WITHDRAWALS, "/admin/refunds": REFUNDS,
         "/admin/products": PRODUCTS, "/admin/staff": STAFF, "/admin/oplog": OPLOG, "/admin/alerts": ALERTS}
GARBAGE = ["?sort=evil&dir=sideways", "?sort=&dir=", "?sort=%27%3B--&dir=DESC", "?sort=__class__&dir=asc",
           "?sort=created&sort=total&dir=up", "?dir=" + "x" * 500, "?sort[]=total"]
ARIA = {"asc": "ascending", "desc": "descending"}


@pytest.fixture
def busy(db, shop, paid_order, make_product, make_staff, client, staff):
    """Two paid orders of C through B (¥100 and ¥300; commissions B 10% and A 5% each) with a refund asked on each
    (¥100 and ¥200) and an alert on each (¥0.01 and ¥900), A's and B's withdrawals (¥50 and ¥80), a cheaper
    product, two more staff members, and one logged change."""
    small, big = paid_order(quantity=1), paid_order(quantity=3)
    for order, quantity in ((small, 1), (big, 2)):
        refunds.request_refund(shop.buyer, order, "不想要了", {order.lines[0].id: quantity})
    for user, amount in ((shop.a, 5000), (shop.b, 8000)):
        ledger.post(user.id, "adjustment", available=10000, ref_type="adjustment", ref_id=0)
        withdrawals.request_withdrawal(user.id, amount, "alipay", {"account": "a@example.com", "name": "张三"})
    for order, amount in ((small, 1), (big, 90000)):
        db.session.add(PaymentAlert(kind="amount_mismatch", order_no=order.order_no, amount_fen=amount, message="金额不符"))
    db.session.commit()
    socks = make_product("袜子", skus=[(1990, 50, ["白"])], spec_names=["颜色"])
    make_staff(role="viewer", login="aaa-viewer"), make_staff(role="viewer", login="zzz-viewer")
    assert client.post(f"/admin/products/{socks.id}/shelf", data={"on_shelf": "0"}).status_code == 302
    return {"small": small, "big": big, "socks": socks, "shop": shop}


def sort_header(html, key):
    """The <th> of the column sorted by `key`."""
    match = re.search(r'<th class="sortable[^"]*"[^>]*><a href="[^"]*" data-sort="%s">' % key, html)
    assert match, key
    return match.group(0)


@pytest.mark.parametrize("url", LISTS)
def test_every_sortable_column_answers_in_both_directions(client, busy, url):
    for key in LISTS[url].columns:
        for direction in ("asc", "desc"):
            resp = client.get(f"{url}?sort={key}&dir={direction}")
            assert resp.status_code == 200, (key, direction)
            header = sort_header(resp.get_data(as_text=True), key)
            assert f'aria-sort="{ARIA[direction]}"' in header, (key, direction)
            assert f"dir={'asc' if direction == 'desc' else 'desc'}" in header  # a click turns it round


@pytest.mark.parametrize("url", LISTS)
def test_an_unknown_column_or_direction_is_the_default_silently(client, busy, url):
    sorting = LISTS[url]
    for query in GARBAGE:
        resp = client.get(url + query)
        assert resp.status_code == 200, query
        html = resp.get_data(as_text=True)
        assert f'aria-sort="{ARIA[sorting.direction]}"' in sort_header(html, sorting.default), query
        assert html.count("aria-sort=") == 1, query


def test_the_active_column_is_marked_and_the_others_sort_descending_first(client, busy):
    html = client.get("/admin/orders?sort=total&dir=asc").get_data(as_text=True)
    total, created = sort_header(html, "total"), sort_header(html, "created")
    assert "▲" in html[html.index(total):html.index("</th>", html.index(total))]
    assert "aria-sort" not in created and "dir=desc" in created and "aria-sort" in total


def first_of(html, *texts):
    return min(texts, key=html.index)


@pytest.mark.parametrize(("url", "key", "smaller", "larger"), [
    ("/admin/orders", "total", lambda b: b["small"].order_no, lambda b: b["big"].order_no),
    ("/admin/commissions", "amount", lambda b: b["small"].order_no, lambda b: b["big"].order_no),
    ("/admin/members", "spent", lambda b: b["shop"].a.phone, lambda b: b["shop"].buyer.phone),
    ("/admin/distribution/distributors", "commission", lambda b: b["shop"].a.phone, lambda b: b["shop"].b.phone),
    ("/admin/withdrawals", "amount", lambda b: b["shop"].a.phone, lambda b: b["shop"].b.phone),
    ("/admin/refunds", "amount", lambda b: b["small"].order_no, lambda b: b["big"].order_no),
    ("/admin/alerts", "amount", lambda b: b["small"].order_no, lambda b: b["big"].order_no),
    ("/admin/products", "price", lambda b: "袜子", lambda b: "好物"),
    ("/admin/staff", "login", lambda b: "aaa-viewer", lambda b: "zzz-viewer"),
])
def test_the_order_really_turns_round(client, busy, url, key, smaller, larger):
    small, large = smaller(busy), larger(busy)
    ascending = client.get(f"{url}?sort={key}&dir=asc").get_data(as_text=True)
    descending = client.get(f"{url}?sort={key}&dir=desc").get_data(as_text=True)
    assert first_of(ascending, small, large) == small
    assert first_of(descending, small, large) == large


def test_the_pager_the_filters_and_the_tabs_keep_the_order(client, staff, shop, place):
    for _ in range(21):
        place()
    html = client.get("/admin/orders?sort=total&dir=asc&q=2").get_data(as_text=True)
    pager = re.search(r'href="([^"]*page=2[^"]*)"', html).group(1)
    assert "sort=total" in pager and "dir=asc" in pager and "q=2" in pager
    filters = html[html.index('id="order-filters"'):html.index("</form>", html.index('id="order-filters"'))]
    assert '<input type="hidden" name="sort" value="total">' in filters
    assert '<input type="hidden" name="dir" value="asc">' in filters
    for link in re.findall(r'href="(/admin/orders\?status=[^"]*)"', html):
        assert "sort=total" in link, link
    # the export links carry the filters and the order
    export = re.search(r'href="(/admin/orders/export\.csv\?[^"]*)"', html).group(1)
    assert "sort=total" in export and "dir=asc" in export and "q=2" in export


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("query, key", [("?sort=total&dir=asc", lambda o: (o.pay_total_fen, o.id)),
                                        ("?sort=total&dir=desc", lambda o: (-o.pay_total_fen, -o.id)),
                                        ("", lambda o: (-o.created_at.timestamp(), -o.id))])
def test_an_export_keeps_the_lists_order_across_batches(client, staff, db, place, monkeypatch, fmt, query, key):
    """Batches of 3 rows over 8 orders with repeated totals: the keyset on (column, id) neither skips nor repeats."""
    from shop.admin.orders import queries
    from tests.admin.test_admin_order_lists import export_rows
    placed = [place(quantity=q) for q in (2, 1, 3, 1, 2, 3, 1, 2)]
    monkeypatch.setattr(queries, "EXPORT_BATCH", 3)
    exported = [row[0] for row in export_rows(client, fmt, query)[1:]]
    assert exported == [o.order_no for o in sorted(placed, key=key)]


def test_the_default_order_adds_nothing_to_links(client, staff, shop, place):
    place()
    html = client.get("/admin/orders").get_data(as_text=True)
    assert not re.search(r'<input type="hidden" name="(sort|dir)"', html)
    assert 'href="/admin/orders?status=pending"' in html and 'href="/admin/orders/export.csv"' in html


def test_bulk_ship_comes_back_to_the_same_order(client, staff, busy):
    resp = client.post("/admin/orders/ship", data={"sort": "total", "dir": "asc", "status": "paid"})
    assert resp.status_code == 302
    assert "sort=total" in resp.location and "dir=asc" in resp.location and "status=paid" in resp.location


def sheet_column(resp, index):
    from openpyxl import load_workbook

    assert resp.status_code == 200
    return [row[index] for row in list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))[1:]]


@pytest.mark.parametrize(("url", "key", "column", "smaller", "larger"), [
    ("/admin/distribution/distributors/export", "commission", 1, lambda b: b["shop"].a.phone,
     lambda b: b["shop"].b.phone),
    ("/admin/withdrawals/export", "amount", 3, lambda b: b["shop"].a.phone, lambda b: b["shop"].b.phone),
])
def test_the_distributor_and_withdrawal_exports_follow_the_order(client, busy, url, key, column, smaller, larger):
    small, large = smaller(busy), larger(busy)
    assert sheet_column(client.get(f"{url}?sort={key}&dir=asc"), column) == [small, large]
    assert sheet_column(client.get(f"{url}?sort={key}&dir=desc"), column) == [large, small]


@pytest.mark.parametrize(("url", "key"), [("/admin/orders", "total"), ("/admin/members", "team"),
                                          ("/admin/distribution/distributors", "sales"),
                                          ("/admin/commissions", "net"), ("/admin/oplog", "staff")])
def test_sorting_adds_no_statement(client, busy, url, key):
    def statements(query):
        with count_statements() as seen:
            assert client.get(url + query).status_code == 200
        return len(seen)

    assert statements(f"?sort={key}&dir=asc") == statements("")


def test_a_refused_alert_note_shows_the_list_again_in_the_same_order(client, db, busy):
    alert = db.session.scalar(select(PaymentAlert).order_by(PaymentAlert.id))
    resp = client.post(f"/admin/alerts/{alert.id}/handle", data={"note": "", "state": "open", "sort": "amount",
                                                                  "dir": "asc"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'aria-sort="ascending"' in sort_header(html, "amount")
    assert f'href="/admin/alerts/{alert.id}/handle' not in html
    assert 'href="/admin/alerts?state=open&amp;sort=created&amp;dir=desc"' in html
