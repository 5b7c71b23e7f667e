"""Admin order forms: shipping, and a refund the merchant starts."""
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from ...converters import whole_number
from ...errors import ServiceError
from ..fields import strip, to_id
from .queries import MAX_ID

#: At most this many orders are shipped by one bulk POST (a page holds fewer).
BULK_LIMIT = 100
#: The carriers the list offers per row, as (the name stored on the order, its label); another carrier is typed on
#: the order's page.
COURIERS = (("顺丰速运", _l("顺丰速运")), ("中通快递", _l("中通快递")), ("圆通速递", _l("圆通速递")),
            ("韵达快递", _l("韵达快递")), ("申通快递", _l("申通快递")), ("京东物流", _l("京东物流")),
            ("邮政EMS", _l("邮政EMS")))


class ShipForm(FlaskForm):
    """Company and tracking number; orders.services.ship_order checks them."""
    company = StringField(_l("物流公司"))
    tracking_no = StringField(_l("运单号"))


class MerchantRefundForm(FlaskForm):
    """商家退款: a quantity per line (qty_<line id>, all that is left = the whole order), a reason the shopper
    reads, and 退回库存."""
    reason = StringField(_l("退款原因"), filters=[strip], description=_l("买家会在订单页看到，例如：商品缺货"),
                         validators=[Length(max=200, message=_l("原因最多200字"))])
    restock = BooleanField(_l("退回库存"), description=_l("把退款数量加回商品库存（例如未发出的商品）"))

    def quantities(self, lines):
        """{order line id: quantity} typed for [(line, refundable)]; ServiceError for a non-number."""
        quantities = {}
        for line, _left in lines:
            raw = (request.form.get(f"qty_{line.id}") or "0").strip()
            quantities[line.id] = whole_number(raw)
            if quantities[line.id] is None:
                raise ServiceError(_("退款数量必须是整数"))
        return quantities


def shipments(form):
    """The orders ticked on the list (ids, each once, at most BULK_LIMIT) as [(order id, company, tracking
    number)]: each row's own company (company_<id>), or when left blank the one chosen for all (company; the
    "apply to all" button copies it into every row), and its tracking_<id>."""
    ids = list(dict.fromkeys(i for i in (to_id(v) for v in form.getlist("ids")) if i is not None and i <= MAX_ID))
    ids = ids[:BULK_LIMIT]
    default = form.get("company", "")
    return [(i, form.get(f"company_{i}") or default, form.get(f"tracking_{i}", "")) for i in ids]
