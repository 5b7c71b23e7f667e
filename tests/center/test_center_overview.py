"""The overview: balances, today's and this month's earnings in China time, team size, grade progress;
and joining by the merchant's mode."""
from datetime import datetime

import pytest
from sqlalchemy import update

from shop import clock
from shop.center import queries
from shop.distribution import rules
from shop.distribution.models import Commission, Distributor, Grade
from shop.sql import count_statements


@pytest.mark.parametrize("now_utc,period,start_utc", [
    # 2026-04-01 01:00 in China is still March 31 in UTC: today and this month began at China midnight.
    (datetime(2026, 3, 31, 17, 0), "day", datetime(2026, 3, 31, 16, 0)),
    (datetime(2026, 3, 31, 17, 0), "month", datetime(2026, 3, 31, 16, 0)),
    # 2026-03-31 23:59 in China: the month began on March 1 (China), Feb 28 16:00 UTC.
    (datetime(2026, 3, 31, 15, 59), "month", datetime(2026, 2, 28, 16, 0)),
    (datetime(2026, 3, 31, 15, 59), "day", datetime(2026, 3, 30, 16, 0)),
    # Wednesday 2026-04-01 (China): the week began on Monday March 30 (China).
    (datetime(2026, 3, 31, 17, 0), "week", datetime(2026, 3, 29, 16, 0)),
    # Sunday 2026-04-05 23:00 (China) is still the same week; Monday 00:30 starts a new one.
    (datetime(2026, 4, 5, 15, 0), "week", datetime(2026, 3, 29, 16, 0)),
    (datetime(2026, 4, 5, 16, 30), "week", datetime(2026, 4, 5, 16, 0)),
])
def test_periods_start_at_china_midnight(now_utc, period, start_utc):
    assert clock.period_start(period, now_utc) == start_utc


def test_overview_shows_balances_earnings_and_team(client, db, login, shop, paid_order):
    paid_order(quantity=2)  # ¥200: B earns ¥20 (level 1), A earns ¥10 (level 2)
    login(shop.a)
    html = client.get("/center").get_data(as_text=True)
    assert 'id="balance-frozen">¥10.00<' in html and 'id="balance-available">¥0.00<' in html
    assert 'id="earnings-today">¥10.00<' in html and 'id="earnings-month">¥10.00<' in html
    assert 'id="team-size-1">1<' in html and 'id="team-size-2">1<' in html
    assert 'id="invite-link"' in html and 'id="copy-invite-link"' in html and "完全免费" in html


def test_earnings_count_net_commission_by_china_day_and_month(db, shop, paid_order):
    now = datetime(2026, 3, 15, 4, 0)  # noon of March 15 in China
    created = [datetime(2026, 3, 14, 16, 30),   # 00:30 on the 15th in China: today
               datetime(2026, 3, 14, 15, 30),   # 23:30 on the 14th in China: this month, not today
               datetime(2026, 2, 28, 15, 59)]   # 23:59 on February 28 in China: last month
    for order, when in zip([paid_order() for _ in created], created):
        db.session.execute(update(Commission).where(Commission.order_id == order.id).values(created_at=when))
    yesterday = db.session.scalar(db.select(Commission).where(Commission.beneficiary_id == shop.b.id,
                                                              Commission.created_at == created[1]))
    yesterday.reversed_fen = 100  # a partial refund: earnings are net
    db.session.commit()
    assert queries.earnings(shop.b.id, now) == {"today": 1000, "month": 1900}


def test_settled_and_withdrawn_amounts_come_from_the_wallet(client, db, login, shop, paid_order, complete, settle):
    from shop.wallet import withdrawals
    complete(paid_order(), days_ago=30)
    assert settle() == (2, 1500)
    withdrawals.request_withdrawal(shop.b.id, 400, "alipay", {"account": "b@example.com", "name": "B"})
    db.session.commit()
    withdrawals.approve(db.session.scalar(db.select(withdrawals.Withdrawal.id)), None)
    withdrawals.mark_paid(db.session.scalar(db.select(withdrawals.Withdrawal.id)), None, "BANK-1")
    db.session.commit()
    login(shop.b)
    html = client.get("/center").get_data(as_text=True)
    assert 'id="balance-available">¥6.00<' in html and 'id="balance-withdrawn">¥4.00<' in html
    assert 'id="balance-frozen">¥0.00<' in html


def test_grade_and_progress_toward_the_next_one(client, db, login, shop):
    rules.save_grade(name="普通", rank=1)
    rules.save_grade(name="银牌", rank=2, min_direct=3, min_team_sales_fen=100000)
    db.session.get(Distributor, shop.a.id).grade_id = db.session.scalar(db.select(Grade.id).where(Grade.rank == 1))
    db.session.commit()
    login(shop.a)
    html = client.get("/center").get_data(as_text=True)
    assert 'id="grade-name">普通<' in html and "升级到「银牌」需要同时满足" in html
    assert 'id="grade-condition-direct"' in html and "1 / 3 人" in html
    assert 'id="grade-condition-team_sales"' in html and "¥0.00 / ¥1000.00" in html
    assert "grade-condition-own_paid" not in html  # a condition the grade does not set is not shown


def test_top_grade_says_so(client, db, login, shop):
    rules.save_grade(name="金牌", rank=1)
    db.session.get(Distributor, shop.a.id).grade_id = db.session.scalar(db.select(Grade.id))
    db.session.commit()
    login(shop.a)
    assert "已是最高等级" in client.get("/center").get_data(as_text=True)


def test_three_levels_show_the_third_team_size(client, db, login, shop):
    rules.update_global_rules(levels=3, rate3_bp=200)
    db.session.commit()
    login(shop.a)
    assert 'id="team-size-3">0<' in client.get("/center").get_data(as_text=True)


def test_disabled_distributor_keeps_the_money_pages_but_not_invites(client, db, login, shop):
    from shop.distribution import services as distribution
    distribution.set_active(shop.a.id, False)
    db.session.commit()
    login(shop.a)
    html = client.get("/center").get_data(as_text=True)
    assert "分销资格已被停用" in html and 'id="invite-link"' not in html
    assert 'id="center-nav-invite"' not in html and 'id="center-nav-withdraw"' in html
    assert client.get("/center/withdraw").status_code == 200
    assert client.get("/center/invite").headers["Location"] == "/center"
    assert client.get("/center/poster.png").status_code == 404


def test_everyone_mode_joins_on_the_first_visit(client, db, make_user, login):
    user = make_user()
    login(user)
    html = client.get("/center").get_data(as_text=True)
    assert db.session.get(Distributor, user.id) is not None and 'id="center-overview"' in html


def writes(statements):
    """The statements that are not reads."""
    return [s for s in statements if not s.lstrip().upper().startswith(("SELECT", "WITH"))]


@pytest.mark.parametrize("mode", ["everyone", "apply", "threshold"])
def test_a_get_of_the_center_writes_nothing(client, db, make_user, login, settings, mode):
    """Not even for a member who logged in before the merchant switched to "everyone" mode."""
    settings(distribution_mode="apply")
    user = make_user()
    login(user)
    settings(distribution_mode=mode)
    with count_statements() as counter:
        html = client.get("/center").get_data(as_text=True)
    assert writes(counter.statements) == [] and db.session.get(Distributor, user.id) is None
    assert ('id="join-form"' in html) == (mode == "everyone") and 'id="center-overview"' not in html


def test_everyone_mode_the_join_button_makes_a_distributor(client, db, make_user, login, settings):
    settings(distribution_mode="apply")
    user = make_user()
    login(user)
    settings(distribution_mode="everyone")
    resp = client.post("/center/join")
    assert resp.status_code == 302 and resp.headers["Location"] == "/center"
    assert db.session.get(Distributor, user.id).source == "everyone"
    assert 'id="center-overview"' in client.get("/center").get_data(as_text=True)
    assert client.post("/center/join").headers["Location"] == "/center"  # idempotent
    assert db.session.query(Distributor).count() == 1


@pytest.mark.parametrize("mode", ["apply", "threshold"])
def test_the_join_button_makes_no_distributor_in_the_other_modes(client, db, make_user, login, settings, mode):
    settings(distribution_mode=mode)
    user = make_user()
    login(user)
    assert client.post("/center/join").headers["Location"] == "/center"
    assert db.session.get(Distributor, user.id) is None


def test_strangers_cannot_join(client, db):
    resp = client.post("/center/join")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert db.session.query(Distributor).count() == 0


def test_threshold_mode_shows_the_spending_still_needed(client, make_user, login, settings):
    settings(distribution_mode="threshold", distribution_threshold_fen=10000)
    login(make_user())
    html = client.get("/center").get_data(as_text=True)
    assert "还差 ¥100.00" in html and "完全免费" in html and 'id="center-nav"' not in html


def test_apply_mode_a_refused_application_says_why(client, make_user, login, settings):
    settings(distribution_mode="apply")
    login(make_user())
    application = {"real_name": "王小明", "phone": "13911112222"}
    assert client.post("/center", data=application).status_code == 302
    resp = client.post("/center", data=application)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "你的申请正在审核中，请耐心等待" in html and "申请审核中" in html


def test_me_page_links_to_the_center(client, make_user, login):
    login(make_user())
    html = client.get("/me").get_data(as_text=True)
    assert 'id="center-entry"' in html and 'href="/center"' in html
