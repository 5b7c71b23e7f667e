"""The audit sees what is wrong with a dividend."""
import pytest
from sqlalchemy import text

from shop.wallet.audit import run_audit


@pytest.mark.parametrize("tamper, problem", [
    ("UPDATE agent_dividends SET amount_fen = amount_fen + 1, base_fen = base_fen", "over its rate"),
    ("UPDATE agent_dividends SET status = 'settled'", "ledger frozen"),
    ("UPDATE orders SET ship_city = '宁波市'", "is outside"),
    ("UPDATE agent_dividends SET rate_bp = 9000, amount_fen = 9000", "over paid"),
])
def test_a_tampered_dividend_is_a_problem(db, shop, paid_order, appoint, tamper, problem):
    appoint("city", "浙江省", "杭州市", rate_bp=100)
    paid_order()
    assert run_audit().clean
    db.session.execute(text(tamper))
    db.session.commit()
    report = run_audit()
    assert any(problem in p for p in report.problems), report.problems
