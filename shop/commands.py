"""`flask shop ...` commands. Every scheduled one is safe to start on every host at once (docs/deploy.md): the
ones marked `one_host` (and settle and close-groups, inside their service) take a PostgreSQL advisory lock, and
expire-coupons is one UPDATE."""
import functools

import click
from flask.cli import AppGroup

from .growth.visits import FLUSH_LOCK_KEY
from .orders.services import AUTO_CONFIRM_LOCK_KEY, EXPIRE_LOCK_KEY
from .payments.reconcile import RECONCILE_PAYMENTS_LOCK_KEY
from .points.services import EXPIRY_LOCK_KEY
from .reports.rollups import ROLLUP_LOCK_KEY
from .wallet.audit import AUDIT_LOCK_KEY
from .wallet.transfers import RECONCILE_LOCK_KEY

shop_cli = AppGroup("shop", help="Distribution mall commands.")


def one_host(key, doing):
    """Run the command on one host at a time (shop.database.single_runner on the advisory lock `key`): cron may
    start it on every host at once; the hosts that find the lock taken say so and do nothing."""
    def wrap(command):
        @functools.wraps(command)
        def run(*args, **kwargs):
            from .database import single_runner

            with single_runner(key) as held:
                if not held:
                    click.echo(f"another host is {doing}; nothing done")
                    return None
                return command(*args, **kwargs)
        return run
    return wrap


@shop_cli.command("expire-orders")
@click.option("--minutes", type=int, default=None, help="Override SHOP_ORDER_EXPIRE_MINUTES.")
@one_host(EXPIRE_LOCK_KEY, "expiring orders")
def expire_orders_command(minutes):
    """Cancel unpaid orders older than the configured minutes and release their stock."""
    from .orders.services import expire_orders

    cancelled, skipped = expire_orders(minutes=minutes, echo=click.echo)
    click.echo(f"expired {cancelled} unpaid order(s); {skipped} changed meanwhile and were left alone")


@shop_cli.command("seed-demo")
def seed_demo_command():
    """Fill an empty database with demo categories, products and accounts (idempotent)."""
    from .demo import seed_demo

    seed_demo(echo=click.echo)


@shop_cli.command("settle")
def settle_command():
    """Make due commissions available (completed orders past the after-sale window)."""
    from .distribution.settlement import settle_due_commissions

    result = settle_due_commissions(echo=click.echo)
    if result is not None:
        count, amount = result
        click.echo(f"settled {count} commission(s), {amount} fen")


@shop_cli.command("audit")
@one_host(AUDIT_LOCK_KEY, "auditing")
def audit_command():
    """Check every money invariant; exits non-zero on any discrepancy."""
    from .reports.audits import record_audit_run
    from .wallet.audit import alert_problems, run_audit

    report = run_audit(echo=click.echo)
    alert_problems(report)
    record_audit_run(report)
    for key, value in report.figures.items():
        click.echo(f"{key:>22}: {value}")
    for problem in report.problems:
        click.echo(f"PROBLEM {problem}", err=True)
    click.echo("audit clean" if report.clean else f"audit found {len(report.problems)} problem(s)")
    if not report.clean:
        raise SystemExit(1)


@shop_cli.command("rollup")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Rewrite the daily roll-ups from this China-time day on (default: the last two written and any new).")
@one_host(ROLLUP_LOCK_KEY, "rolling up")  # two hosts at once would both rewrite the same days
def rollup_command(since):
    """Write the dashboard's daily roll-ups of closed days (run after midnight, China time; safe to repeat)."""
    from .reports.rollups import build_rollups

    days = build_rollups(since=since.date() if since else None, echo=click.echo)
    click.echo(f"rolled up {days} day(s)")


@shop_cli.command("reconcile-payments")
@click.option("--minutes", type=int, default=10, help="Only payments opened, and refunds sent, at least this long ago.")
@click.option("--max-hours", type=int, default=None, help="Override the reconcile_max_hours setting (48).")
@one_host(RECONCILE_PAYMENTS_LOCK_KEY, "reconciling payments")
def reconcile_command(minutes, max_hours):
    """Ask the gateway about unpaid orders and open refunds and apply what it reports, like a notification."""
    from .payments.reconcile import reconcile_refunds
    from .payments.refunds import execute_pending_auto_refunds
    from .payments.services import reconcile_payments

    counts = reconcile_payments(minutes=minutes, echo=click.echo, max_hours=max_hours)
    execute_pending_auto_refunds()
    click.echo("reconciled: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to do"))
    counts = reconcile_refunds(minutes=minutes, echo=click.echo)
    click.echo("refunds: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to do"))


@shop_cli.command("reconcile-transfers")
@click.option("--minutes", type=int, default=5, help="Only transfers sent at least this long ago.")
@one_host(RECONCILE_LOCK_KEY, "reconciling transfers")
def reconcile_transfers_command(minutes):
    """Ask the gateway about open WeChat withdrawal transfers: apply, send again, cancel unconfirmed, alert stuck."""
    from .wallet.transfers import reconcile_transfers

    counts = reconcile_transfers(echo=click.echo, minutes=minutes)
    click.echo("transfers: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to do"))


@shop_cli.command("auto-confirm")
@click.option("--days", type=int, default=None, help="Override the merchant's auto_confirm_days.")
@one_host(AUTO_CONFIRM_LOCK_KEY, "confirming orders")
def auto_confirm_command(days):
    """Complete shipped orders N days after shipping."""
    from .orders.services import auto_confirm

    click.echo(f"auto-confirmed {auto_confirm(days=days, echo=click.echo)} order(s)")


@shop_cli.command("expire-points")
@click.option("--days", type=int, default=None, help="Override the merchant's points_valid_days.")
@one_host(EXPIRY_LOCK_KEY, "expiring points")
def expire_points_command(days):
    """Expire points earned more than points_valid_days ago and not used (oldest first); safe to run twice."""
    from .points.services import expire_points

    members, points = expire_points(days=days, echo=click.echo)
    click.echo(f"expired {points} point(s) of {members} member(s)")


@shop_cli.command("pay-dividends")
@click.option("--period", default=None, help="2026-11 or 2026-W48 (default: the latest period past its after-sale window).")
def pay_dividends_command(period):
    """Pay the dividend pool (分红池) of a period once its after-sale window has passed; safe to run twice."""
    from .errors import ServiceError
    from .pool.services import BUSY, OFF, pay_dividends

    try:
        paid = pay_dividends(period, echo=click.echo)
    except ServiceError as err:
        raise click.ClickException(err.message) from err
    if paid == BUSY:
        click.echo("another host is paying dividends; nothing done")
    elif paid == OFF:
        click.echo("the dividend pool is off (rate 0); nothing done")
    elif paid is None:
        click.echo("that period was paid before; nothing done")
    else:
        click.echo(f"paid {paid.period}: pool {paid.pool_fen} fen of base {paid.base_fen} fen, "
                   f"shares {paid.shares_fen} fen, remainder {paid.remainder_fen} fen")


@shop_cli.command("create-admin")
@click.option("--login", prompt="Login name", help="The owner's login name.")
@click.option("--name", default="", help="Display name (defaults to the login name).")
@click.password_option("--password", help="At least 8 characters.")
def create_admin_command(login, name, password):
    """Create a staff owner (everything in /admin, staff and settings included)."""
    from .errors import ServiceError
    from .staff.models import OWNER
    from .staff.services import create_staff

    try:
        staff = create_staff(login, name, password, OWNER)
    except ServiceError as err:
        raise click.ClickException(err.message) from err
    click.echo(f"owner {staff.login} created; log in at /admin/login")


@shop_cli.command("flush-visits")
@click.option("--days", default=7, show_default=True, help="Days of Redis counters to move.")
@one_host(FLUSH_LOCK_KEY, "flushing visits")
def flush_visits_command(days):
    """Move the invite-funnel visits counted in Redis (SHOP_REDIS_URL) into the database."""
    from .growth.visits import flush_visits

    click.echo(f"moved {flush_visits(days)} visits")


@shop_cli.command("expire-coupons")
def expire_coupons_command():
    """Mark unused coupons past their validity as expired (one UPDATE; safe to run twice or on two hosts)."""
    from .coupons.services import expire_coupons

    click.echo(f"expired {expire_coupons()} coupon(s)")


@shop_cli.command("close-groups")
def close_groups_command():
    """Close 拼团 groups past their deadline (failed, or succeeded with 模拟成团 one short) and refund the failed
    ones' paid orders in full; also sends refunds still due. One group per transaction; safe to run twice."""
    from .groupbuy.closing import close_expired

    counts = close_expired(echo=click.echo)
    if counts.get("busy"):
        click.echo("another host is closing groups; nothing done")
        return
    click.echo("groups: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to do"))
