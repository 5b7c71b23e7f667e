"""Admin order forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField


class ShipForm(FlaskForm):
    """Company and tracking number; orders.services.ship_order checks them."""
    company = StringField(_l("物流公司"))
    tracking_no = StringField(_l("运单号"))
