"""资金明细, the distributor's balance history: every ledger entry of their own, newest first, with what moved, the
balance after it and the memo in the reader's language; filters; strangers see nothing of it; a fixed number of
statements however long the history."""
import re

import pytest
from sqlalchemy import select

from shop.orders.models import Order
from shop.payments import refunds
from shop.sql import count_statements
from shop.wallet import adjustments, ledger, withdrawals
from shop.wallet.models import LEDGER_KINDS, LedgerEntry
from tests.center.test_center_commissions import admin, four_states  # noqa: F401  (fixtures)


def entry_ids(html):
    return [int(i) for i in re.findall(r'id="entry-(\d+)"', html)]


def row(html, entry_id):
    start = html.index(f'id="entry-{entry_id}"')
    return html[start:html.index("</li>", start)]


def own_entries(db, user):
    return db.session.scalars(select(LedgerEntry).where(LedgerEntry.user_id == user.id)
                              .order_by(LedgerEntry.id.desc())).all()


@pytest.fixture
def history(db, shop, paid_order, four_states):  # noqa: F811
    """B's commissions in four states (accrued, settled, reversed, clawed back), then an adjustment by the shop and a
    withdrawal request."""
    adjustments.adjust(shop.b.id, 8888, "双十一冠军奖励")
    db.session.commit()
    withdrawals.request_withdrawal(shop.b.id, 1000, "alipay", {"account": "b@example.com", "name": "小B"})
    db.session.commit()
    return own_entries(db, shop.b)


def test_every_entry_newest_first_with_what_moved_and_the_balance_after(client, db, login, shop, history):
    login(shop.b)
    html = client.get("/center/ledger").get_data(as_text=True)
    assert entry_ids(html) == [e.id for e in history]
    withdrawal, adjustment = history[0], history[1]
    assert "申请提现" in row(html, withdrawal.id) and "可提现 -¥10.00" in row(html, withdrawal.id)
    assert "提现中 +¥10.00" in row(html, withdrawal.id)
    assert f"余额 ¥{withdrawal.available_after / 100:.2f}" in row(html, withdrawal.id)
    assert "人工调整" in row(html, adjustment.id) and "双十一冠军奖励" in row(html, adjustment.id)
    accrued = history[-1]
    order_no = db.session.get(Order, accrued.order_id).order_no
    assert accrued.memo == f"order {order_no} L1"  # as written; read as a sentence
    assert f"订单 {order_no} 的第 1 级佣金" in row(html, accrued.id) and "冻结 +¥10.00" in row(html, accrued.id)
    assert f'href="/center/commissions/{accrued.ref_id}"' in row(html, accrued.id)
    kinds = {e.kind for e in history}
    assert {"commission_frozen", "commission_settled", "commission_reversed", "commission_clawback"} <= kinds
    for entry in history:
        assert str(LEDGER_KINDS[entry.kind]) in row(html, entry.id)
    english = client.get("/center/ledger?lang=en").get_data(as_text=True)
    assert f"Level 1 commission on order {order_no}" in row(english, accrued.id)
    assert "Balance history" in english and "资金明细" not in english


def test_the_balances_above_are_the_last_entrys_balances_after(client, db, login, shop, history):
    login(shop.b)
    html = client.get("/center/ledger").get_data(as_text=True)
    newest = history[0]
    hero = html[html.index('id="ledger-balances"'):html.index('id="ledger-filters"')]
    for fen in (newest.available_after, newest.frozen_after, newest.withdrawing_after, newest.withdrawn_after):
        assert f"¥{fen / 100:.2f}" in hero


@pytest.mark.parametrize("group, kinds", [
    ("withdrawals", {"withdrawal_requested"}),
    ("adjustments", {"adjustment"}),
    ("earnings", {"commission_frozen", "commission_settled", "commission_reversed", "commission_clawback"}),
])
def test_the_filters(client, db, login, shop, history, group, kinds):
    login(shop.b)
    html = client.get(f"/center/ledger?group={group}").get_data(as_text=True)
    assert entry_ids(html) == [e.id for e in history if e.kind in kinds]
    assert 'class="chip on" id="ledger-filter-' + group in html


@pytest.mark.parametrize("group", ["nonsense", "", "../admin", "earnings'--"])
def test_an_unknown_filter_shows_everything(client, db, login, shop, history, group):
    login(shop.b)
    resp = client.get("/center/ledger", query_string={"group": group})
    assert resp.status_code == 200 and entry_ids(resp.get_data(as_text=True)) == [e.id for e in history]


def test_strangers_see_nothing_of_it(client, db, login, shop, history):
    assert client.get("/center/ledger").status_code == 302  # not signed in: to the login
    login(shop.a)  # A earned level-2 commissions on the same orders: their own entries only
    html = client.get("/center/ledger").get_data(as_text=True)
    assert entry_ids(html) == [e.id for e in own_entries(db, shop.a)]
    assert not set(entry_ids(html)) & {e.id for e in history} and "双十一冠军奖励" not in html
    # (a member who is no distributor is sent to /center: test_center_access.py, which lists this page)


def test_an_empty_history_says_so(client, db, login, make_distributor):
    d = make_distributor(nickname="新人")
    login(d.user)
    html = client.get("/center/ledger").get_data(as_text=True)
    assert "还没有资金变动" in html and 'id="ledger-list"' not in html


def test_it_is_linked_from_the_overview_and_the_centers_menu(client, login, shop):
    login(shop.b)
    html = client.get("/center").get_data(as_text=True)
    assert 'id="ledger-link" href="/center/ledger"' in html and 'id="center-nav-ledger"' in html


def test_a_long_history_pages_in_a_fixed_number_of_statements(client, db, login, shop, make_distributor):
    d = make_distributor(nickname="老分销")
    login(d.user)

    def statements(url):
        with count_statements() as counter:
            assert client.get(url).status_code == 200
        return len(counter)

    ledger.post(d.user_id, "adjustment", available=100, ref_type="adjustment", ref_id=1, memo="一")
    db.session.commit()
    few = statements("/center/ledger")
    for i in range(45):
        ledger.post(d.user_id, "adjustment", available=100 + i, ref_type="adjustment", ref_id=i + 2, memo=f"第 {i} 笔")
    db.session.commit()
    assert statements("/center/ledger") == few
    html = client.get("/center/ledger").get_data(as_text=True)
    assert len(entry_ids(html)) == 20 and 'rel="next"' in html
    assert statements("/center/ledger?page=3") == few
    assert len(entry_ids(client.get("/center/ledger?page=3").get_data(as_text=True))) == 6


def test_a_refund_clawback_into_debt_shows_as_a_negative_balance(client, db, login, shop, paid_order, complete, settle,
                                                                   admin):  # noqa: F811
    from datetime import timedelta

    from sqlalchemy import update

    from shop.clock import utcnow

    order = complete(paid_order())
    db.session.execute(update(Order).where(Order.id == order.id).values(completed_at=utcnow() - timedelta(days=30)))
    db.session.commit()
    settle()
    withdrawals.request_withdrawal(shop.b.id, 1000, "alipay", {"account": "b@example.com", "name": "小B"})
    db.session.commit()
    refunds.merchant_refund(db.session.get(Order, order.id), "质量问题", admin)
    db.session.commit()
    newest = own_entries(db, shop.b)[0]
    assert newest.kind == "commission_clawback" and newest.available_after == -1000
    login(shop.b)
    html = client.get("/center/ledger").get_data(as_text=True)
    assert "佣金追回" in row(html, newest.id) and "余额 -¥10.00" in row(html, newest.id)
    assert re.search(r"售后退款 #\d+", row(html, newest.id))
