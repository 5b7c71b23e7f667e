"""Reads for the member's dividend pages."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..errors import found
from ..extensions import db
from .models import PoolPeriod, PoolShare


def member_shares(user_id):
    """The member's shares, the latest period first."""
    return db.session.scalars(select(PoolShare).join(PoolPeriod).where(PoolShare.user_id == user_id)
                              .options(joinedload(PoolShare.period))
                              .order_by(PoolPeriod.starts_at.desc(), PoolShare.id.desc())).all()


def member_share(user_id, period_id):
    """The member's share of one period, or a 404 (no share of theirs in it)."""
    return found(db.session.scalar(select(PoolShare).where(PoolShare.user_id == user_id,
                                                           PoolShare.period_id == period_id)
                                   .options(joinedload(PoolShare.period))))
