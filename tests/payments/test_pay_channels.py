"""/pay/<order_no> inside WeChat (JSAPI, after 网页授权), in other mobile browsers (H5) and on a desktop (Native QR)."""
import base64
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from shop.orders.models import Order
from shop.payments.gateways import crypto
from tests.accounts.fake_wechat_oauth import FakeWechatOAuth
from tests.payments import user_agents as ua
from tests.payments.fake_wechat import APIV3_KEY, APPID, MCHID, MERCHANT_SERIAL, FakeWechatPay

CASHIER = "http://127.0.0.1:5000/pay/sandbox/{}"  # absolute, from SHOP_BASE_URL: a phone scans it


def local(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def pay(client, order, user_agent):
    return client.post(f"/pay/{order.order_no}", headers={"User-Agent": user_agent})


def qr_image(page):
    """The QR code the Native page shows, drawn by the app as a PNG data: URI."""
    src = page.split('id="pay-qr" src="', 1)[1].split('"', 1)[0]
    assert src.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))


@pytest.fixture
def sandbox(app, monkeypatch):
    monkeypatch.setitem(app.config, "SHOP_PAYMENT_GATEWAY", "sandbox")


@pytest.fixture
def buyer(db, shop, login):
    """The shop's buyer, logged in, with no openid bound yet (make_user binds one by default)."""
    shop.buyer.wechat_openid = None
    db.session.commit()
    login(shop.buyer)
    return shop.buyer


# --- the sandbox ------------------------------------------------------------------------------

def test_inside_wechat_an_unbound_member_authorizes_first_then_continues(client, db, sandbox, place, buyer):
    order = place()
    resp = pay(client, order, ua.WECHAT_ANDROID)
    assert resp.status_code == 302
    start = urlsplit(resp.headers["Location"])
    assert start.path == "/wechat/auth" and parse_qs(start.query)["next"] == [f"/orders/{order.order_no}?pay=1"]
    to_authorize = client.get(local(resp.headers["Location"]))
    to_callback = client.get(local(to_authorize.headers["Location"]))
    to_order = client.get(local(to_callback.headers["Location"]))
    assert to_order.headers["Location"] == f"/orders/{order.order_no}?pay=1"
    back = client.get(to_order.headers["Location"])
    page = back.get_data(as_text=True)
    assert "微信授权已完成，请点击继续支付" in page and "继续支付" in page
    db.session.expire_all()
    assert db.session.get(type(buyer), buyer.id).wechat_openid.startswith("o-sandbox-")
    # Bound now: the sandbox answers JSAPI with its cashier page (it has no WeixinJSBridge).
    again = pay(client, order, ua.WECHAT_ANDROID)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/pay/sandbox/{order.order_no}")


def test_the_continue_step_shows_only_after_authorizing(client, sandbox, place, buyer):
    order = place()
    assert "继续支付" not in client.get(f"/orders/{order.order_no}?pay=1").get_data(as_text=True)


def test_a_mobile_browser_pays_by_h5(client, sandbox, place, buyer):
    order = place()
    resp = pay(client, order, ua.IPHONE_SAFARI)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/pay/sandbox/{order.order_no}")


def test_a_desktop_gets_a_native_qr_code_and_learns_when_it_is_paid(client, db, sandbox, place, buyer):
    order = place()
    resp = pay(client, order, ua.WINDOWS_CHROME)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "请使用微信扫一扫" in page and "已完成支付" in page
    image = qr_image(page)
    assert image.format == "PNG" and image.size[0] == image.size[1] >= 100
    assert CASHIER.format(order.order_no) in page  # the sandbox's code_url: its cashier page
    status = f"/pay/{order.order_no}/status"
    assert client.get(status).get_json() == {"status": "pending", "pending": True}
    client.post(f"/pay/sandbox/{order.order_no}", data={"action": "pay"})
    assert client.get(status).get_json() == {"status": "paid", "pending": False}


def test_nobody_else_reads_an_orders_status(client, sandbox, place, make_user, login):
    order = place()
    login(make_user())
    assert client.get(f"/pay/{order.order_no}/status").status_code == 404


def test_a_paid_order_is_not_sent_to_authorize(client, db, sandbox, paid_order, buyer):
    order = paid_order()
    resp = pay(client, order, ua.WECHAT_IPHONE)
    assert resp.status_code == 409


# --- WeChat Pay and WeChat's web authorization, both faked ------------------------------------

@pytest.fixture(scope="module")
def merchant_key():
    return crypto.generate_private_key()


@pytest.fixture(scope="module")
def wechat_pay(merchant_key):
    server = FakeWechatPay(merchant_key.public_key()).start()
    server.certificates_enabled = False
    yield server
    server.stop()


@pytest.fixture(scope="module")
def wechat_oauth():
    server = FakeWechatOAuth(appid=APPID).start()  # one 公众号: the same appid pays and authorizes
    yield server
    server.stop()


@pytest.fixture
def wechat(app, monkeypatch, tmp_path, merchant_key, wechat_pay, wechat_oauth):
    (tmp_path / "apiclient_key.pem").write_bytes(crypto.private_key_pem(merchant_key))
    (tmp_path / "pub_key.pem").write_bytes(wechat_pay.public_key_pem())
    settings = {"SHOP_PAYMENT_GATEWAY": "wechat", "SHOP_WECHAT_MCHID": MCHID, "SHOP_WECHAT_APPID": APPID,
                "SHOP_WECHAT_SERIAL_NO": MERCHANT_SERIAL, "SHOP_WECHAT_APIV3_KEY": APIV3_KEY,
                "SHOP_WECHAT_PRIVATE_KEY_PATH": str(tmp_path / "apiclient_key.pem"),
                "SHOP_WECHAT_PUBLIC_KEY_PATH": str(tmp_path / "pub_key.pem"),
                "SHOP_WECHAT_PUBLIC_KEY_ID": wechat_pay.public_key_id, "SHOP_WECHAT_BASE_URL": wechat_pay.url,
                "SHOP_WECHAT_APP_SECRET": wechat_oauth.secret, "SHOP_WECHAT_OAUTH_API_URL": wechat_oauth.url}
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    return wechat_pay


def sent(fake, kind):
    return json.loads([r for r in fake.requests if r["path"] == f"/v3/pay/transactions/{kind}"][-1]["body"])


def test_inside_wechat_jsapi_pays_with_the_openid_bound_by_wechat(client, db, wechat, wechat_oauth, place, buyer):
    order = place()
    authorize = urlsplit(pay(client, order, ua.WECHAT_IPHONE).headers["Location"])
    wechat_url = client.get(local(authorize.geturl())).headers["Location"]
    assert wechat_url.startswith("https://open.weixin.qq.com/connect/oauth2/authorize?")
    state = parse_qs(urlsplit(wechat_url).query)["state"][0]
    code = wechat_oauth.issue("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")  # the member's WeChat says yes, silently
    client.get("/wechat/callback", query_string={"code": code, "state": state})
    resp = pay(client, order, ua.WECHAT_IPHONE)
    assert resp.status_code == 200 and "正在调起微信支付" in resp.get_data(as_text=True)
    assert sent(wechat, "jsapi")["payer"] == {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}
    assert wechat.transactions[order.order_no]["trade_type"] == "JSAPI"


def test_a_desktop_gets_wechats_code_url_as_a_qr_code(client, db, wechat, place, buyer):
    order = place()
    resp = pay(client, order, ua.MAC_SAFARI)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and qr_image(page).format == "PNG"
    assert "weixin://" not in page.replace("data:image", "")  # shown only as the QR code
    assert "沙箱" not in page
    body = sent(wechat, "native")
    assert body["amount"] == {"total": order.pay_total_fen, "currency": "CNY"} and "payer" not in body
    assert wechat.transactions[order.order_no]["trade_type"] == "NATIVE"
    assert db.session.get(Order, order.id).pay_gateway == "wechat"


def test_a_native_payment_refused_by_wechat_says_so(client, wechat, place, buyer):
    order = place()
    wechat.transactions[order.order_no] = {"trade_state": "SUCCESS"}  # WeChat already took this order number
    resp = pay(client, order, ua.WINDOWS_CHROME)
    assert resp.status_code == 302 and resp.headers["Location"] == f"/orders/{order.order_no}"
    assert "支付暂时不可用" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_jsapi_without_an_openid_is_refused_before_sending(app, wechat, place, buyer):
    from shop.payments.gateways import GatewayError, get_gateway

    asked = len(wechat.requests)
    with app.test_request_context(), pytest.raises(GatewayError) as refused:
        get_gateway().create_payment(order_no="T1", amount_fen=100, description="商品", notify_url="https://s/n",
                                     trade_type="jsapi")
    assert not refused.value.retryable and len(wechat.requests) == asked
