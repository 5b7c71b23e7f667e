"""Admin settings forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired

from ..fields import YuanField


class ShippingRuleForm(FlaskForm):
    shipping_fee = YuanField(_l("运费（元）"), validators=[InputRequired(_l("请填写运费"))],
                             description=_l("每笔订单收取的固定运费；0 表示全部包邮"))
    free_shipping_threshold = YuanField(_l("包邮门槛（元）"), validators=[InputRequired(_l("请填写包邮门槛"))],
                                        description=_l("商品金额达到这个数就免运费；0 表示不设包邮门槛"))
