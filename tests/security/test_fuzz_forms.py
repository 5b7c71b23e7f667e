"""Every form, fuzzed: each state-changing route of the URL map gets POSTs of random field values (control
characters, huge strings, negative and huge numbers, unicode, repeated fields) from a signed-in member, a
distributor and the owner. Never a 500, and never a change of money (the ledger, the accounts, paid orders,
payments, refunds and withdrawals), but where a valid form moves money by design (listed below with the reason)."""
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from shop import create_app
from tests.conftest import login_staff

from .conftest import WRITE_METHODS, money, routes
from .fuzzing import field_names, page_fields, values

FUZZ = settings(max_examples=6, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck))
POOL = field_names()
NOTIFY = {"payments.notify", "payments.refund_notify"}  # test_fuzz_notify.py
#: Routes that change who is signed in: fuzzed last, so the others run signed in.
SESSION_ENDING = {"accounts.logout", "accounts.login", "accounts.login_sms", "accounts.register", "admin.login",
                  "admin.logout"}
_OWNER_MOVES = "the owner may do it: a valid form moves money by design"
#: endpoint -> why a valid POST moves money: the fuzz may hit such a value, so the money check is off there.
MOVES_MONEY = {
    "payments.sandbox_cashier": "the sandbox's cashier: its 'pay' button pays the order, as WeChat's cashier would",
    "payments.sandbox_transfer": "the sandbox's 确认收款 screen: confirming a transfer completes a withdrawal",
    **dict.fromkeys(["admin.withdrawals.approve", "admin.withdrawals.approve_selected", "admin.withdrawals.paid",
                     "admin.withdrawals.reject", "admin.refunds.approve", "admin.refunds.send", "admin.orders.refund",
                     "admin.commissions.adjust", "admin.growth.decide", "admin.groupbuy.close"], _OWNER_MOVES),
}
#: endpoint -> the 500 it still answers, fixed on branch `sec`: fuzzed alone as an expected failure. Remove these
#: lines when `sec` is merged, and the endpoint rejoins its group.


def group_of(endpoint, rule):
    if rule.startswith("/admin"):
        return "admin"
    return "center" if rule.startswith(("/center", "/pay/sandbox/transfer")) else "shop"


def write_routes():
    """Every state-changing (method, endpoint, rule) from a throwaway app's URL map (the tests' app does not exist
    yet when tests are collected), the session-ending ones last."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "TESTING": True})
    found = {(m, rule.endpoint, rule.rule) for m, rule, _ in routes(app, methods=WRITE_METHODS)
             if rule.endpoint not in NOTIFY}
    return sorted(found, key=lambda r: (r[1] in SESSION_ENDING, r[2], r[0]))


ROUTES = write_routes()
GROUPS = sorted({group_of(e, r) for _, e, r in ROUTES})


@pytest.fixture
def world(app, db, victim, make_staff, make_category):
    """Signed-in clients (the buyer Y, with the owner in the admin; the distributor Z for the center) and the URL
    values that name their own records, so the fuzz reaches the forms behind the ownership checks."""
    buyer, distributor = app.test_client(), app.test_client()
    buyer.post("/login", data={"phone": victim.member.phone, "password": "secret123"})
    login_staff(buyer, make_staff())
    distributor.post("/login", data={"phone": victim.distributor.phone, "password": "secret123"})
    url_values = {"order_no": victim.unpaid_order.order_no, "address_id": victim.address.id,
                  "product_id": victim.paid_order.lines[0].product_id, "out_bill_no": victim.withdrawal.out_bill_no,
                  "commission_id": victim.commission.id, "withdrawal_id": victim.withdrawal.id,
                  "user_id": victim.distributor.id, "category_id": make_category().id,
                  "staff_id": make_staff(role="operator").id}
    return {"shop": buyer, "admin": buyer, "center": distributor}, url_values


def fuzz(app, client, url_values, method, endpoint, rule):
    """Random POSTs to one route; raises on the first 500 or money moved."""
    url = next(u for m, r, u in routes(app, methods={method}, values=url_values) if r.rule == rule)
    has_page = "GET" in next(r for r in app.url_map.iter_rules() if r.rule == rule and r.endpoint == endpoint).methods
    own = page_fields(client.get(url).get_data(as_text=True)) if has_page else []

    @FUZZ
    @given(fields=st.fixed_dictionaries({}, optional=dict.fromkeys(own, values)),
           extra=st.dictionaries(st.sampled_from(POOL), values, max_size=5))
    def post(fields, extra):
        before = money()
        resp = client.open(url, method=method, data={**extra, **fields})
        assert resp.status_code < 500, f"{method} {url}: {resp.status_code}"
        assert endpoint in MOVES_MONEY or money() == before, f"{method} {url} moved money"

    post()


@pytest.mark.parametrize("group", GROUPS)
def test_no_form_answers_500_nor_moves_money(app, world, group):
    clients, url_values = world
    failures = []
    for method, endpoint, rule in ROUTES:
        if group_of(endpoint, rule) == group:
            try:
                fuzz(app, clients[group], url_values, method, endpoint, rule)
            except Exception as err:  # noqa: BLE001  (every route is tried; all failures are reported together)
                failures.append(f"{method} {rule}: {type(err).__name__}: {str(err)[:600]}")
    assert failures == []


def test_every_write_route_is_fuzzed():
    assert len(ROUTES) > 60 and {"admin", "center", "shop"} == set(GROUPS)
    assert set(MOVES_MONEY) <= {e for _, e, _ in ROUTES}
