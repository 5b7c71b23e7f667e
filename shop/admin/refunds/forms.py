"""Admin after-sale forms: the queue's filters, approving (with 退回库存) and rejecting a refund."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ...payments.models import REFUND_STATUSES
from ..fields import strip


class QueueFilterForm(FlaskForm):
    """The queue's query string: status, created between two China dates, order or refund number."""
    class Meta:
        csrf = False

    status = SelectField(_l("状态"), choices=[("", _l("全部"))] + list(REFUND_STATUSES.items()),
                         validators=[Optional()])
    start = DateField(_l("开始日期"), validators=[Optional()])
    end = DateField(_l("结束日期"), validators=[Optional()])
    q = StringField(_l("订单号或退款单号"), filters=[strip], validators=[Optional(), Length(max=32)])


class ApproveRefundForm(FlaskForm):
    """同意退款: the money goes back through the gateway; 退回库存 puts the quantities back on sale."""
    restock = BooleanField(_l("退回库存"), description=_l("同意时立即把退款数量加回商品库存"))


class RejectRefundForm(FlaskForm):
    """The reason the shopper reads on their order page."""
    reason = StringField(_l("拒绝原因"), filters=[strip],
                         validators=[DataRequired(message=_l("请填写拒绝原因")),
                                     Length(max=200, message=_l("原因最多200字"))])
