"""Center pages send the same number of SQL statements for a team of 10 and one of 10,000 (each member with a
paid order that earned the distributor commission), so no page loads the team or counts it row by row.

The team is built with bulk inserts of users, referral_nodes, referral_paths, orders, order_lines and
commissions, like bench/tree_bench.py does, not through the binding service (which would take minutes)."""
import math
from datetime import timedelta

from sqlalchemy import insert, update

from shop.accounts.models import User
from shop.clock import utcnow
from shop.distribution import rules
from shop.distribution.models import Commission, ReferralNode, ReferralPath
from shop.orders.models import Order, OrderLine
from shop.sql import count_statements
from tests.conftest import empty_tables

#: Rates of levels 1..3 in bp, so the bulk commissions match what the engine would pay.
RATES = {1: 1000, 2: 500, 3: 200}
FIRST_ID = 1000
PAGES = ["/center", "/center/team?level=1", "/center/team?level=2", "/center/team?level=3",
         "/center/team?level=2&q=member", "/center/commissions", "/center/commissions?status=frozen",
         "/center/orders", "/center/ranking?period=month", "/center/ranking?board=invitees&period=month",
         "/center/withdraw", "/center/ledger", "/center/ledger?group=earnings"]
#: Later pages of the big team (a team of 10 has no second page): as many statements as the first page.
DEEP_PAGES = {"/center/team?level=1&page=50": "/center/team?level=1", "/center/team?level=3&page=200":
              "/center/team?level=3", "/center/commissions?page=400": "/center/commissions",
              "/center/orders?page=400": "/center/orders"}


def team_shape(n):
    """{member id: (parent id, level)} for n members under the root: 10% at level 1, 30% at level 2 spread over
    the level-1 members, the rest at level 3 spread over the level-2 members."""
    k1, k2 = max(1, math.ceil(n / 10)), math.ceil(3 * n / 10)
    ids = list(range(FIRST_ID, FIRST_ID + n))
    level1, level2, level3 = ids[:k1], ids[k1:k1 + k2], ids[k1 + k2:]
    shape = {v: (None, 1) for v in level1}
    shape.update({v: (level1[i % len(level1)], 2) for i, v in enumerate(level2)})
    shape.update({v: (level2[i % len(level2)], 3) for i, v in enumerate(level3)})
    return shape


def build_team(db, root, product, n):
    """n members under root (levels 1..3), each with one paid ¥100 order that earned root a frozen commission."""
    now, version = utcnow(), rules.current_version().id
    shape = {v: (parent or root.id, level) for v, (parent, level) in team_shape(n).items()}
    stamp = {v: now - timedelta(minutes=n - i) for i, v in enumerate(shape)}
    db.session.execute(insert(User.__table__), [
        {"id": v, "phone": str(15_000_000_000 + v), "nickname": f"member{v}", "password_hash": None, "is_admin": False,
         "disabled": False, "created_at": stamp[v]} for v in shape])
    db.session.execute(insert(ReferralNode.__table__), [
        {"user_id": v, "referrer_id": parent, "bound_at": stamp[v], "bind_source": "link", "direct_count": 0,
         "level2_count": 0, "level3_count": 0, "team_sales_fen": 0, "own_paid_fen": 10000, "own_paid_orders": 1,
         "commission_frozen_fen": 0, "commission_settled_fen": 0, "commission_reversed_fen": 0}
        for v, (parent, _level) in shape.items()])
    paths = []
    for v in shape:
        paths.append({"ancestor_id": v, "descendant_id": v, "depth": 0})
        ancestor, depth = v, 0
        while ancestor != root.id:
            ancestor, depth = shape[ancestor][0], depth + 1
            paths.append({"ancestor_id": ancestor, "descendant_id": v, "depth": depth})
    db.session.execute(insert(ReferralPath.__table__), paths)
    counts = {level: sum(1 for _p, lv in shape.values() if lv == level) for level in (1, 2, 3)}
    db.session.execute(update(ReferralNode).where(ReferralNode.user_id == root.id).values(
        direct_count=counts[1], level2_count=counts[2], level3_count=counts[3], team_sales_fen=10000 * n,
        commission_frozen_fen=sum(10000 * RATES[lv] // 10000 for _p, lv in shape.values())))
    db.session.execute(insert(Order.__table__), [
        {"id": v, "order_no": f"2026{v:014d}", "user_id": v, "status": "paid", "items_total_fen": 10000,
         "shipping_fen": 0, "discount_fen": 0, "pay_total_fen": 10000, "recipient": "x", "recipient_phone": "13900000000",
         "address_text": "somewhere", "note": "", "created_at": stamp[v], "paid_at": stamp[v], "refunded_fen": 0,
         "rule_version_id": version} for v in shape])
    db.session.execute(insert(OrderLine.__table__), [
        {"id": v, "order_id": v, "product_id": product.id, "title": product.title, "spec_text": "",
         "unit_price_fen": 10000, "quantity": 1, "line_total_fen": 10000, "paid_amount_fen": 10000} for v in shape])
    db.session.execute(insert(Commission.__table__), [
        {"order_id": v, "order_line_id": v, "level": level, "beneficiary_id": root.id, "buyer_id": v,
         "amount_fen": 10000 * RATES[level] // 10000, "reversed_fen": 0, "clawed_back_fen": 0, "status": "frozen",
         "base_fen": 10000, "rate_bp": RATES[level], "fixed_fen": None, "source": "global", "rule_version_id": version,
         "quantity": 1, "created_at": stamp[v]} for v, (_parent, level) in shape.items()])
    db.session.commit()
    return counts


def page_statements(client, path):
    with count_statements() as counter:
        resp = client.get(path)
    assert resp.status_code == 200, (path, resp.status_code)
    return len(counter), resp.get_data(as_text=True)


def test_center_pages_do_not_grow_with_the_team(app, db, make_user, make_product):
    from shop.distribution import services

    figures = {}
    for n in (10, 10_000):
        rules.update_global_rules(levels=3, rate1_bp=RATES[1], rate2_bp=RATES[2], rate3_bp=RATES[3])
        root = make_user(nickname="团长", phone="13800001234")
        services.become_distributor(root.id, "admin")
        db.session.commit()
        counts = build_team(db, root, make_product("好物", skus=[(10000, 10, ["红", "M"])]), n)
        client = app.test_client()
        assert client.post("/login", data={"phone": root.phone, "password": "secret123"}).status_code == 302
        figures[n] = {}
        for path in PAGES + (list(DEEP_PAGES) if n > 10 else []):
            figures[n][path], html = page_statements(client, path)
            if path == "/center/team?level=3":
                assert f'class="count">{counts[3]}<' in html and f'id="team-member-{FIRST_ID + n - 1}"' in html
        db.session.remove()
        empty_tables(app)
    grew = {p: (figures[10][p], figures[10_000][p]) for p in PAGES if figures[10][p] != figures[10_000][p]}
    assert not grew, grew
    assert all(figures[10_000][deep] == figures[10_000][first] for deep, first in DEEP_PAGES.items()), figures
    assert max(figures[10_000].values()) <= 12, figures[10_000]  # incl. loading the user per request
