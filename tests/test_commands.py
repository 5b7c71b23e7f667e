"""Every scheduled `flask shop` command is safe to start on every host at once (docs/deploy.md): each one holds
its PostgreSQL advisory lock, so while another host holds it the command does nothing and says so. The table
lists every command of the group, so a new one cannot be forgotten."""
import pytest
from sqlalchemy import text

from shop.commands import shop_cli
from shop.distribution.settlement import SETTLE_LOCK_KEY
from shop.groupbuy.closing import CLOSE_LOCK_KEY
from shop.growth.visits import FLUSH_LOCK_KEY
from shop.orders.services import AUTO_CONFIRM_LOCK_KEY, EXPIRE_LOCK_KEY
from shop.payments.reconcile import RECONCILE_PAYMENTS_LOCK_KEY
from shop.points.services import EXPIRY_LOCK_KEY
from shop.pool.services import POOL_LOCK_KEY
from shop.reports.rollups import ROLLUP_LOCK_KEY
from shop.wallet.audit import AUDIT_LOCK_KEY
from shop.wallet.transfers import RECONCILE_LOCK_KEY

#: command -> the advisory lock it runs under.
ONE_HOST = {
    "expire-orders": EXPIRE_LOCK_KEY, "auto-confirm": AUTO_CONFIRM_LOCK_KEY, "settle": SETTLE_LOCK_KEY,
    "close-groups": CLOSE_LOCK_KEY, "expire-points": EXPIRY_LOCK_KEY, "flush-visits": FLUSH_LOCK_KEY,
    "reconcile-payments": RECONCILE_PAYMENTS_LOCK_KEY, "reconcile-transfers": RECONCILE_LOCK_KEY,
    "rollup": ROLLUP_LOCK_KEY, "audit": AUDIT_LOCK_KEY, "pay-dividends": POOL_LOCK_KEY,
}
#: Commands without a lock, and why that is safe.
NO_LOCK = {
    "expire-coupons": "one UPDATE ... WHERE status = unused: a second run finds nothing",
    "seed-demo": "run by hand once, idempotent; not scheduled",
    "create-admin": "run by hand; not scheduled",
}


def test_every_command_is_in_a_table():
    assert set(shop_cli.commands) == set(ONE_HOST) | set(NO_LOCK)
    assert not set(ONE_HOST) & set(NO_LOCK)


def test_the_lock_keys_are_distinct():
    assert len(set(ONE_HOST.values())) == len(ONE_HOST)


@pytest.mark.pg
@pytest.mark.parametrize("command", sorted(ONE_HOST))
def test_a_command_does_nothing_while_another_host_runs_it(app, db, command):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    lock = "hashtext(coalesce(current_schema(), '')), :k"
    with db.engine.connect() as other_host:
        other_host.execute(text(f"SELECT pg_advisory_lock({lock})"), {"k": ONE_HOST[command]})
        try:
            result = app.test_cli_runner().invoke(args=["shop", command])
        finally:  # a session lock outlives the transaction: the pooled connection would keep it for later tests
            other_host.execute(text(f"SELECT pg_advisory_unlock({lock})"), {"k": ONE_HOST[command]})
            other_host.rollback()
    assert result.exit_code == 0, result.output
    assert "nothing done" in result.output
