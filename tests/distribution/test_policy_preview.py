"""The policy preview replays the paid orders of the period through the pure engine: exact to the fen on a hand-
computed case (grades and per-product overrides, self-purchase and a third level), the same as the engine line by
line, and nothing written."""
from datetime import timedelta

import pytest

from shop.clock import utcnow
from shop.distribution import commission as engine
from shop.distribution import preview as policy
from shop.distribution import rules
from shop.distribution.earnings import expected_shares
from shop.distribution.models import Distributor


@pytest.fixture
def history(db, shop, make_product, make_distributor, paid_order, place):
    """C (a distributor, no grade) buys ¥100 × 1 and ¥33.33 × 3 under B (金牌: 12% at level 1) under A; P2 pays a
    fixed ¥2 per unit at level 1 and 3% at level 2. Plus an order paid 40 days ago and an unpaid one."""
    make_distributor(user=shop.buyer)
    gold = rules.save_grade(name="金牌", rank=1, rate1_bp=1200)
    db.session.get(Distributor, shop.b.id).grade_id = gold.id
    db.session.get(Distributor, shop.buyer.id).grade_id = None
    p2 = make_product("小物", skus=[(3333, 100, ["蓝", "S"])])
    rules.set_product_commission(p2.id, {1: ("fixed", 200), 2: ("percent", 300)})
    db.session.commit()
    orders = [paid_order(), paid_order(quantity=3, product=p2)]
    old = paid_order()
    old.paid_at = utcnow() - timedelta(days=40)
    place()
    db.session.commit()
    return orders


def proposed(levels=3, rates=(800, 600, 200), self_purchase=True):
    data = rules.proposed_rules(levels=levels, rate1_bp=rates[0], rate2_bp=rates[1], rate3_bp=rates[2],
                                self_purchase=self_purchase, cap_bp=5000)[1]
    return rules.rules_from_data(0, data)


def test_actual_commissions_as_computed_by_hand(db, history):
    result = policy.preview(proposed())
    # order 1: B 金牌 12% of 10000 = 1200, A 5% = 500; order 2: fixed 200 x 3 = 600, 3% of 9999 = 299
    assert result.actual == {1: 1800, 2: 799}
    assert (result.orders, result.lines, result.sales_fen) == (2, 2, 10000 + 9999)


def test_preview_with_self_purchase_and_three_levels_by_hand(db, history):
    result = policy.preview(proposed())
    # order 1: C global 8% = 800; B 金牌 has no level-2 rate: global 6% = 600; A 2% = 200
    # order 2: C fixed 200 x 3 = 600; B product 3% of 9999 = 299; A global 2% of 9999 = 199
    assert result.proposed == {1: 800 + 600, 2: 600 + 299, 3: 200 + 199}
    assert result.proposed_fen == 2698 and result.actual_fen == 2599 and result.difference_fen == 99
    assert result.proposed_share_bp == 2698 * 10000 // 19999


def test_preview_of_the_current_rules_is_what_was_paid(db, history):
    result = policy.preview(proposed(levels=2, rates=(1000, 500, 0), self_purchase=False))
    assert result.proposed == result.actual


@pytest.mark.parametrize("levels,rates,self_purchase", [
    (1, (1500, 0, 0), False), (2, (700, 1300, 0), True), (3, (1, 2, 3), False), (3, (2000, 1000, 500), True)])
def test_preview_matches_the_engine_line_by_line(db, history, levels, rates, self_purchase):
    rules_ = proposed(levels, rates, self_purchase)
    assert policy.preview(rules_).proposed == engine_totals(history, rules_)
    assert sum(s.amount_fen for o in history for s in expected_shares(o)) == 2599


def engine_totals(orders, rules_):
    """{level: fen} the engine gives the orders' lines, order by order."""
    want = {}
    for order in orders:
        lines = [engine.Line(ln.id, ln.product_id, ln.quantity, ln.unit_price_fen, ln.paid_amount_fen)
                 for ln in order.lines]
        for share in engine.compute_shares(lines, rules.upline_from_snapshot(order.upline), rules_):
            want[share.level] = want.get(share.level, 0) + share.amount_fen
    return want


def test_a_products_own_percent_rate_matches_the_engine(db, shop, history):
    rules.set_product_commission(shop.product.id, {2: ("percent", 700)})
    db.session.commit()
    rules_ = proposed()
    result = policy.preview(rules_)
    # order 1 now: C 8% = 800, B the product's own 7% = 700, A 2% = 200
    assert result.proposed == engine_totals(history, rules_) == {1: 1400, 2: 700 + 299, 3: 399}
