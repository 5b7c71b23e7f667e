"""The wallet ledger's own memos read in the reader's language (shop/wallet/memos.py) on the admin's ledger pages,
while the ledger keeps what was written; staff's and gateways' words show as written."""
import os
import re
from types import SimpleNamespace

import pytest
from flask_babel import refresh
from sqlalchemy import select

from shop import ROOT
from shop.distribution.models import Distributor
from shop.wallet import adjustments, memos
from shop.wallet.memos import ledger_memo
from shop.wallet.models import LEDGER_KINDS, LedgerEntry


def entry(memo, ref_type):
    return SimpleNamespace(memo=memo, ref_type=ref_type)


def read(app, lang, memo, ref_type):
    with app.test_request_context(f"/?lang={lang}"):
        refresh()  # (the test's app context, shared by both languages, would keep the first one's locale)
        return ledger_memo(entry(memo, ref_type))


@pytest.mark.parametrize("form, values, ref_type, chinese, english", [
    (memos.COMMISSION, dict(order_no="S20261201000001", level=2), "commission",
     "订单 S20261201000001 的第 2 级佣金", "Level 2 commission on order S20261201000001"),
    (memos.REFUND, dict(refund_id=17), "commission", "售后退款 #17", "After-sale refund #17"),
    (memos.REFUND, dict(refund_id=17), "agent_div", "售后退款 #17", "After-sale refund #17"),
    (memos.FRAUD_VOID, dict(flag_id=3, reason="自买自卖\norder S1 L1"), "commission",
     "风控作废（标记 #3）：自买自卖\norder S1 L1", "Voided by fraud review (flag #3): 自买自卖\norder S1 L1"),
    (memos.DIVIDEND, dict(order_no="S1", region="city"), "agent_div", "订单 S1 的市级代理分红",
     "City agent dividend on order S1"),
    (memos.POOL, dict(period="2026-11"), "pool_share", "2026-11 分红池", "Dividend pool 2026-11"),
    (memos.POOL_REFUND, dict(period="2026-11", refund_id=5), "pool_share", "2026-11 分红池，售后退款 #5",
     "Dividend pool 2026-11, after-sale refund #5"),
])
def test_each_form_is_written_plainly_and_read_in_both_languages(app, form, values, ref_type, chinese, english):
    written = form.write(**values)
    assert not re.search(r"[\u4e00-\u9fff]", form.written)  # stored in one plain form, whoever reads it later
    assert read(app, "zh", written, ref_type) == chinese
    assert read(app, "en", written, ref_type) == english


@pytest.mark.parametrize("memo, ref_type", [
    ("order S1 L1", "adjustment"),  # a staff member's reason that looks like a form: their words
    ("refund 12", "withdrawal"),  # a withdrawal's reference
    ("pool 2026-11", "commission"),  # a form on an entry it is never written on
    ("order S1 Lx", "commission"),  # fits no form
    ("refund None", "commission"),
    ("order S1 emperor", "agent_div"),  # a region level that is none: still read, named as stored
    ("", "commission"),
])
def test_other_words_show_as_written(app, memo, ref_type):
    expected = "订单 S1 的emperor分红" if ref_type == "agent_div" else memo
    assert read(app, "en" if ref_type != "agent_div" else "zh", memo, ref_type) == expected


def test_the_distributors_ledger_reads_the_commission_in_the_readers_language(client, db, staff, shop, paid_order):
    order = paid_order()
    b = db.session.get(Distributor, shop.b.id)
    adjustments.adjust(b.user_id, 250, f"order {order.order_no} L1")  # staff's words in the shape of a form
    db.session.commit()
    stored = db.session.scalars(select(LedgerEntry.memo).where(LedgerEntry.user_id == b.user_id)
                                .order_by(LedgerEntry.id)).all()
    assert stored == [f"order {order.order_no} L1"] * 2  # the ledger keeps what was written
    chinese = client.get(f"/admin/commissions/ledger/{b.user_id}").get_data(as_text=True)
    english = client.get(f"/admin/commissions/ledger/{b.user_id}?lang=en").get_data(as_text=True)
    adjustment_row, commission_row = chinese.split("<tbody>")[1].split("</tr>")[:2]
    assert f"订单 {order.order_no} 的第 1 级佣金" in commission_row
    assert f"order {order.order_no} L1" in adjustment_row and "的第 1 级佣金" not in adjustment_row
    assert f"Level 1 commission on order {order.order_no}" in english


def test_the_withdrawal_page_names_its_entries_kinds(client, db, staff, make_distributor):
    from shop.wallet import ledger, withdrawals

    user = make_distributor(nickname="阿强").user
    ledger.post(user.id, "adjustment", available=10000, ref_type="adjustment", ref_id=0)
    w = withdrawals.request_withdrawal(user.id, 5000, "alipay", {"account": "a@example.com", "name": "张三"})
    db.session.commit()
    chinese = client.get(f"/admin/withdrawals/{w.id}").get_data(as_text=True)
    english = client.get(f"/admin/withdrawals/{w.id}?lang=en").get_data(as_text=True)
    ledger_part = chinese[chinese.index('id="withdrawal-ledger"'):]
    assert "申请提现" in ledger_part and "withdrawal_requested" not in ledger_part
    assert "withdrawal_requested" not in english[english.index('id="withdrawal-ledger"'):]


def test_every_kind_the_mall_posts_has_a_label():
    posted = set()
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "shop")):
        for name in files:
            if name.endswith(".py"):
                source = open(os.path.join(folder, name), encoding="utf-8").read()
                posted |= set(re.findall(r"ledger\.post\(\s*[\w.]+,\s*\"(\w+)\"", source))
    assert {"withdrawal_requested", "withdrawal_failed", "commission_settled"} <= posted
    assert posted <= set(LEDGER_KINDS), posted - set(LEDGER_KINDS)
