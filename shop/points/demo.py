"""Demo points: a few check-ins and a staff-granted welcome bonus for the demo shoppers (idempotent)."""
from datetime import timedelta

from sqlalchemy import select

from ..accounts.models import User
from ..clock import utcnow
from ..database import transaction
from ..extensions import db
from .ledger import post
from .memos import N_
from .models import STAFF_ADJUST, PointsEntry
from .services import check_in


def seed_demo(echo=print):
    """Give the first two members a welcome bonus and three days of check-ins, unless they have points already."""
    members = db.session.scalars(select(User).order_by(User.id).limit(2)).all()
    for user in members:
        if db.session.scalar(select(PointsEntry.id).where(PointsEntry.user_id == user.id).limit(1)):
            continue
        with transaction():
            post(user.id, STAFF_ADJUST, 300, ref_type="staff", ref_id=0, memo=N_("新会员欢迎积分"), memo_args={},
                 now=utcnow() - timedelta(days=3))
        for days_ago in (2, 1, 0):
            check_in(user, now=utcnow() - timedelta(days=days_ago))
        echo(f"points: {user.display_name} got a welcome bonus and 3 check-ins")
