"""The database refuses a status, kind or source outside its closed set, whatever code writes it."""
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from shop.distribution.models import BindingLog, Commission, Distributor, ReferralNode
from shop.orders.models import Order
from shop.payments.models import Payment


@pytest.mark.parametrize("model, column", [
    (Order, "status"), (Payment, "status"), (Commission, "status"), (Commission, "source"),
    (Distributor, "status"), (Distributor, "source"), (ReferralNode, "bind_source"), (BindingLog, "source"),
])
def test_a_value_outside_its_set_is_refused(db, place, notify, model, column):
    order = place()
    assert notify(order.order_no, 10000).status_code == 204
    assert db.session.scalar(select(func.count()).select_from(model)) > 0
    with pytest.raises(IntegrityError):
        db.session.execute(update(model).values({column: "lost"}))
    db.session.rollback()
