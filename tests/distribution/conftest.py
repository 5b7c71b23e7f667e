import pytest

from shop.distribution import services
from shop.settings import set_setting


@pytest.fixture
def make_distributor(db, make_user):
    """Factory: make_distributor(user=None, **user_columns) -> Distributor (committed)."""
    def make(user=None, **kw):
        user = user or make_user(**kw)
        distributor = services.become_distributor(user.id, "admin")
        db.session.commit()
        return distributor

    return make


@pytest.fixture
def settings(db):
    """settings(key=value, ...) stores merchant settings for the test."""
    def apply(**values):
        for key, value in values.items():
            set_setting(key, value)
        db.session.commit()

    return apply
