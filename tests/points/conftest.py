"""Points fixtures: give a member points, read balances and a member's entries."""
import pytest
from sqlalchemy import select

from shop.database import transaction
from shop.points.ledger import balance_of, post
from shop.points.models import STAFF_ADJUST, PointsEntry


@pytest.fixture
def give(db):
    """give(user, points, now=None): a positive staff adjustment (a lot that may expire), committed."""
    def do(user, points, now=None):
        with transaction():
            post(user.id, STAFF_ADJUST, points, ref_type="staff", ref_id=0, memo="test", now=now)
    return do


@pytest.fixture
def balance(db):
    """balance(user) -> the member's points balance, read fresh."""
    def read(user):
        db.session.expire_all()
        return balance_of(user.id)
    return read


@pytest.fixture
def entries(db):
    """entries(user, kind=None) -> [(kind, delta)] of the member's entries in order."""
    def read(user, kind=None):
        stmt = select(PointsEntry.kind, PointsEntry.delta).where(PointsEntry.user_id == user.id)
        if kind:
            stmt = stmt.where(PointsEntry.kind == kind)
        return [tuple(row) for row in db.session.execute(stmt.order_by(PointsEntry.id))]
    return read


@pytest.fixture
def staff(client, make_staff):
    """A staff owner (店长), logged in to the admin on the test client."""
    from tests.conftest import login_staff
    owner = make_staff(role="owner", display_name="店长")
    login_staff(client, owner)
    return owner
