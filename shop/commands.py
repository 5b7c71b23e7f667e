"""`flask shop ...` commands."""
import click
from flask.cli import AppGroup

shop_cli = AppGroup("shop", help="Distribution mall commands.")


@shop_cli.command("expire-orders")
@click.option("--minutes", type=int, default=None, help="Override SHOP_ORDER_EXPIRE_MINUTES.")
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
