"""The one transaction idiom (shop/database.py): commit at the end, roll back on any exception, nested blocks
join the outer one, and use cases that must commit on their own refuse to run nested."""
import pytest

from shop.database import NestedTransaction, require_outermost, transaction
from shop.settings import get_setting, set_setting


def stored_fee(db):
    db.session.rollback()  # read what was committed, not what this session still holds
    return get_setting("shipping_fee_fen")


def test_a_block_commits_what_it_wrote(db):
    with transaction():
        set_setting("shipping_fee_fen", 123)
    assert stored_fee(db) == 123


def test_an_exception_rolls_the_whole_block_back(db):
    with pytest.raises(ValueError), transaction():
        set_setting("shipping_fee_fen", 123)
        raise ValueError("refused")
    assert stored_fee(db) == 1000


def test_a_nested_block_joins_the_outer_one_and_dies_with_it(db):
    with pytest.raises(ValueError), transaction():
        with transaction():
            set_setting("shipping_fee_fen", 123)
        raise ValueError("the outer use case is refused after the inner step")
    assert stored_fee(db) == 1000


def test_only_the_outermost_block_commits(db):
    with transaction():
        with transaction():
            set_setting("shipping_fee_fen", 123)
        set_setting("free_shipping_threshold_fen", 456)
    assert stored_fee(db) == 123 and get_setting("free_shipping_threshold_fen") == 456


def test_an_outermost_block_is_refused_inside_another_and_changes_nothing(db):
    with pytest.raises(NestedTransaction), transaction():
        set_setting("shipping_fee_fen", 123)
        with transaction(outermost=True):
            set_setting("free_shipping_threshold_fen", 456)
    assert stored_fee(db) == 1000 and get_setting("free_shipping_threshold_fen") == 9900


def test_require_outermost_passes_outside_and_refuses_inside(db):
    require_outermost()
    with pytest.raises(NestedTransaction), transaction():
        require_outermost()


def test_a_refund_sent_to_the_gateway_refuses_to_run_inside_another_transaction(db, paid_order, shop):
    """approve_refund commits the approval before calling the gateway; nested, it could not."""
    from shop.payments import refunds
    from shop.payments.models import REQUESTED, Refund

    order = paid_order()
    refund = refunds.request_refund(shop.buyer, order, "不想要了")
    with pytest.raises(NestedTransaction), transaction():
        refunds.approve_refund(refund.id, shop.a)
    db.session.rollback()
    assert db.session.get(Refund, refund.id).status == REQUESTED


def test_a_scheduled_job_key_must_be_an_int(app):
    """PostgreSQL's advisory locks take integers: a string key is refused on every database, so SQLite runs catch it."""
    from shop.database import single_runner
    with app.app_context(), pytest.raises(TypeError):
        with single_runner("points-expiry"):
            pass
