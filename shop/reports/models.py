"""Daily roll-ups of the dashboard's figures, the audit runs, and the indexes the dashboard reads facts by.

Every figure counts on the China-time day its event happened (sales on the day paid, refunds on the day they
succeeded, commission on the day created / settled / reversed), and every one of those timestamps is the moment
the fact was written. So a day that is over never changes again, and `flask shop rollup` can write it once:
the dashboard reads closed days from here and the days since the last roll-up from the facts themselves.
"""
from ..clock import utcnow
from ..distribution.models import Distributor
from ..extensions import db
from ..orders.models import Order
from ..payments.models import Refund
from ..wallet.models import LedgerEntry


class DailyFigures(db.Model):
    """One China-time day of the dashboard's figures; a row for every day, empty days included (fen)."""
    __tablename__ = "daily_figures"
    day = db.Column(db.Date, primary_key=True)
    #: Orders paid that day and what they paid (shipping included).
    sales_fen = db.Column(db.BigInteger, nullable=False, default=0)
    orders = db.Column(db.Integer, nullable=False, default=0)
    #: The part of sales_fen whose orders pay a level-1 commission (came through a distributor).
    distributor_sales_fen = db.Column(db.BigInteger, nullable=False, default=0)
    #: After-sale refunds (not automatic refunds of payments never applied) that succeeded that day.
    refunds_fen = db.Column(db.BigInteger, nullable=False, default=0)
    refunds = db.Column(db.Integer, nullable=False, default=0)
    new_members = db.Column(db.Integer, nullable=False, default=0)
    new_distributors = db.Column(db.Integer, nullable=False, default=0)
    commission_created_fen = db.Column(db.BigInteger, nullable=False, default=0)
    #: From the ledger (append-only): settled, and reversed or clawed back by refunds.
    commission_settled_fen = db.Column(db.BigInteger, nullable=False, default=0)
    commission_reversed_fen = db.Column(db.BigInteger, nullable=False, default=0)
    built_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class DailyProductSales(db.Model):
    """A product's paid lines on one day (product 0: lines whose product was deleted)."""
    __tablename__ = "daily_product_sales"
    __table_args__ = (db.Index("ix_daily_product_sales_product", "product_id", "day"),)
    day = db.Column(db.Date, primary_key=True)
    product_id = db.Column(db.Integer, primary_key=True, autoincrement=False)
    sales_fen = db.Column(db.BigInteger, nullable=False)
    quantity = db.Column(db.Integer, nullable=False)


class DailyDistributorSales(db.Model):
    """A distributor's commission created on one day (every level), and the line sales they brought at level 1."""
    __tablename__ = "daily_distributor_sales"
    __table_args__ = (db.Index("ix_daily_distributor_sales_user", "user_id", "day"),)
    day = db.Column(db.Date, primary_key=True)
    user_id = db.Column(db.Integer, primary_key=True, autoincrement=False)
    commission_fen = db.Column(db.BigInteger, nullable=False)
    sales_fen = db.Column(db.BigInteger, nullable=False)


class AuditRun(db.Model):
    """One run of `flask shop audit`: the dashboard shows the latest without running the audit again."""
    __tablename__ = "audit_runs"
    id = db.Column(db.Integer, primary_key=True)
    ran_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    clean = db.Column(db.Boolean, nullable=False)
    problem_count = db.Column(db.Integer, nullable=False, default=0)
    #: The first problems found ('' when clean).
    summary = db.Column(db.String(300), nullable=False, default="")


# The facts' own timestamps, indexed for the days not rolled up yet (today, usually). They are declared here,
# beside the reports that need them, so the fact models stay as their domains wrote them.
db.Index("ix_orders_paid_at", Order.paid_at)
db.Index("ix_refunds_succeeded_at", Refund.succeeded_at)
db.Index("ix_distributors_joined_at", Distributor.joined_at)
db.Index("ix_ledger_entries_kind_created", LedgerEntry.kind, LedgerEntry.created_at)
