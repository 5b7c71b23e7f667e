"""Merchant settings are read in one query per transaction, and a change is never missed."""
from shop.database import transaction
from shop.extensions import db as _db
from shop.settings import DEFAULTS, get_setting, set_setting
from shop.sql import count_statements


def test_one_query_for_every_setting_of_a_transaction(db):
    with count_statements() as seen:
        values = [get_setting(key) for key in ("invite_points", "invite_points_daily_cap", "distribution_mode")]
    assert len(seen) == 1
    assert values == [DEFAULTS["invite_points"], DEFAULTS["invite_points_daily_cap"], DEFAULTS["distribution_mode"]]


def test_a_setting_changed_in_the_transaction_is_read_back(db):
    assert get_setting("invite_points") == DEFAULTS["invite_points"]
    set_setting("invite_points", 7)
    assert get_setting("invite_points") == 7


def test_a_change_committed_elsewhere_is_seen_by_the_next_transaction(app, db):
    assert get_setting("withdraw_min_fen") == DEFAULTS["withdraw_min_fen"]
    db.session.rollback()
    with app.app_context():  # another request: its own session
        with transaction():
            set_setting("withdraw_min_fen", 555)
        _db.session.remove()
    assert get_setting("withdraw_min_fen") == 555
