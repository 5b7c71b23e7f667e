"""Admin pool services: reads for the pages, and the two writes (settings, paying a period)."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...database import transaction
from ...distribution.models import Grade
from ...errors import found
from ...extensions import db
from ...pool import settings as pool_settings
from ...pool.models import PoolAdjustment, PoolPeriod, PoolShare
from ...pool.services import pay_dividends


def grades():
    """Every distributor grade, best first."""
    return db.session.scalars(select(Grade).order_by(Grade.rank.desc())).all()


def periods():
    """The paid periods, the latest first."""
    return db.session.scalars(select(PoolPeriod).order_by(PoolPeriod.starts_at.desc(), PoolPeriod.id.desc())).all()


def get_period(period_id):
    """The paid period, or a 404."""
    return found(db.session.get(PoolPeriod, period_id))


def period_shares(period):
    """The period's shares with their members, largest first."""
    return db.session.scalars(select(PoolShare).where(PoolShare.period_id == period.id)
                              .options(joinedload(PoolShare.user))
                              .order_by(PoolShare.amount_fen.desc(), PoolShare.user_id)).all()


def period_adjustments(period):
    """The refunds that reached the period after payout, in order."""
    return db.session.scalars(select(PoolAdjustment).where(PoolAdjustment.period_id == period.id)
                              .options(joinedload(PoolAdjustment.order)).order_by(PoolAdjustment.id)).all()


def save_settings(values):
    """Store the pool settings; owns its transaction."""
    with transaction():
        pool_settings.save(values)


def pay(label):
    """Pay a period now (pool.services.pay_dividends); owns its transactions."""
    return pay_dividends(label)
