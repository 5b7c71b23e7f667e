"""The pool's pages: the admin settings (who may change them, a bad rate refused), paying from the admin, the
period explained, and the member's own dividends in the center (someone else's is a 404)."""
import pytest
from sqlalchemy import select

from shop.pool import services
from shop.pool.models import PoolPeriod
from shop.settings import get_setting
from tests.conftest import login_staff


@pytest.fixture
def paid_period(db, pool_shop, sales):
    sales()
    return services.pay_dividends(pool_shop.period.label, now=pool_shop.pay_time)


def test_the_owner_sets_the_pool(client, db, make_staff, gold):
    login_staff(client, make_staff("finance"))
    resp = client.post("/admin/pool/settings", data={"rate": "2.5", "period": "week", "grade_ids": [str(gold.id)],
                                                     "split": "sales", "refund_policy": "absorb"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert (get_setting("pool_rate_bp"), get_setting("pool_period"), get_setting("pool_grade_ids"),
            get_setting("pool_split"), get_setting("pool_refund_policy")) == (250, "week", [gold.id], "sales", "absorb")


@pytest.mark.parametrize("rate, grades, message", [("25", True, "分红比例须在 0 到 20% 之间"),
                                                   ("abc", True, "百分比"), ("3", False, "请选择参与分红的等级")])
def test_bad_settings_are_refused_and_nothing_changes(client, db, make_staff, gold, rate, grades, message):
    login_staff(client, make_staff())
    resp = client.post("/admin/pool/settings", data={"rate": rate, "period": "month", "split": "equal",
                                                     "refund_policy": "clawback",
                                                     "grade_ids": [str(gold.id)] if grades else []})
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert get_setting("pool_rate_bp") == 0


def test_the_settings_page_says_why_the_pool_is_no_chain_level(client, make_staff):
    login_staff(client, make_staff("viewer"))
    page = client.get("/admin/pool").get_data(as_text=True)
    assert "不是分销链条上多出的一级" in page and "没有入门费" in page and "最多三级" in page
    assert 'action="/admin/pool/pay"' not in page  # a viewer reads only


def test_the_admin_pays_a_period_and_sees_it_explained(client, db, make_staff, pool_shop, sales, monkeypatch):
    sales()
    login_staff(client, make_staff("finance"))
    resp = client.post("/admin/pool/pay", data={"period": "2020-01"})
    period = db.session.scalar(select(PoolPeriod))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/admin/pool/{period.id}")
    resp = client.post("/admin/pool/pay", data={"period": pool_shop.period.label})
    assert resp.status_code == 400 and "售后期未结束" in resp.get_data(as_text=True)


def test_the_period_page_explains_each_share(client, db, make_staff, paid_period, pool_shop):
    login_staff(client, make_staff("viewer"))
    page = client.get(f"/admin/pool/{paid_period.id}").get_data(as_text=True)
    for text in ("¥133.33", "10.00%", "¥13.33", "¥4.44", "¥0.01", "小B", "阿强"):
        assert text in page, text


def test_the_member_sees_their_share_and_a_stranger_gets_404(client, db, login, paid_period, pool_shop):
    login(pool_shop.d)
    page = client.get("/center/dividends").get_data(as_text=True)
    assert "+¥4.44" in page and paid_period.period in page
    detail = client.get(f"/center/dividends/{paid_period.id}").get_data(as_text=True)
    assert "¥13.33" in detail and "平均分配" in detail
    client.post("/logout")
    login(pool_shop.e)  # E has no grade that shares: no share in the period
    assert client.get(f"/center/dividends/{paid_period.id}").status_code == 404
    assert client.get("/center/dividends/999999").status_code == 404
    client.post("/logout")
    assert client.get("/center/dividends").status_code == 302  # to the login
