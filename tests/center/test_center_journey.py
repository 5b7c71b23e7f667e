"""The center's story end to end, through the pages (the browser test repeats it in Chromium): A shares the
invite link; B opens it, registers and buys; A sees B in the team and the frozen commission explained; after
completion and settlement A withdraws, and the merchant's approval shows in A's history."""
import re
from datetime import timedelta

from sqlalchemy import select, update

from shop.accounts.models import User
from shop.clock import utcnow
from shop.distribution.models import Commission
from shop.orders import services as orders
from shop.orders.models import Order
from shop.wallet import withdrawals
from shop.wallet.models import Withdrawal


def test_invite_buy_see_settle_withdraw(app, db, client, login, make_distributor, make_product, make_address, pay,
                                        complete, settle):
    from shop.distribution import rules
    rules.update_global_rules(levels=2, rate1_bp=1000, rate2_bp=500)
    db.session.commit()
    product = make_product("好物", skus=[(10000, 100, ["红", "M"])])
    a = make_distributor(nickname="阿强").user
    login(a)
    link = re.search(r'id="invite-link" value="([^"]+)"', client.get("/center/invite").get_data(as_text=True))[1]

    friend = app.test_client()  # B's own browser; its requests get app contexts of their own, as in production
    with app.app_context():     # (the test's context holds A's login in flask.g)
        assert friend.get(link.replace("http://localhost", "")).status_code == 302
    with app.app_context():
        assert friend.post("/register", data={"phone": "13912345678", "nickname": "小B", "password": "shop-test-pass-7",
                                              "confirm": "shop-test-pass-7"}).status_code == 302
    b = db.session.scalar(select(User).where(User.phone == "13912345678"))
    order = pay(orders.place_order(b, [(product.skus[0].id, 2)], make_address(b).id))

    team = client.get("/center/team").get_data(as_text=True)
    row = team[team.index(f'id="team-member-{b.id}"'):]
    assert "小B" in row and "139****5678" in row and "¥20.00" in row
    commission = db.session.scalar(select(Commission).where(Commission.beneficiary_id == a.id))
    listing = client.get("/center/commissions?status=frozen").get_data(as_text=True)
    assert f'id="commission-{commission.id}"' in listing
    detail = client.get(f"/center/commissions/{commission.id}").get_data(as_text=True)
    assert "一级佣金：实付 ¥200.00 × 10.00% = ¥20.00（全局比例）" in detail and order.order_no in detail

    complete(db.session.get(Order, order.id))
    db.session.execute(update(Order).where(Order.id == order.id).values(completed_at=utcnow() - timedelta(days=8)))
    db.session.commit()
    assert settle() == (1, 2000)
    assert 'id="balance-available">¥20.00<' in client.get("/center").get_data(as_text=True)

    resp = client.post("/center/withdraw", data={"amount": "20", "method": "wechat"}, follow_redirects=True)
    assert "提现申请已提交" in resp.get_data(as_text=True)
    withdrawal = db.session.scalar(select(Withdrawal))
    withdrawals.approve(withdrawal.id, None)  # the transfer goes out and waits for A to confirm it
    page = client.get(f"/center/withdrawals/{withdrawal.id}").get_data(as_text=True)
    assert "待确认收款" in page and f'href="/pay/sandbox/transfer/{withdrawal.out_bill_no}"' in page
    client.post(f"/pay/sandbox/transfer/{withdrawal.out_bill_no}", data={"action": "confirm"})
    history = client.get("/center/withdraw").get_data(as_text=True)
    assert "已到账" in history[history.index(f'id="withdrawal-{withdrawal.id}"'):][:600]
    assert 'id="balance-withdrawn">¥20.00<' in client.get("/center").get_data(as_text=True)
