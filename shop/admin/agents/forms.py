"""Admin agent forms: appoint by phone, change the rate, end with a reason."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from ...agents.models import AGENT_LEVELS
from ..fields import PercentField, strip


class AppointForm(FlaskForm):
    phone = StringField(_l("会员手机号"), filters=[strip], validators=[DataRequired(_l("请填写会员手机号"))])
    level = SelectField(_l("代理级别"), choices=list(AGENT_LEVELS.items()))
    province = StringField(_l("省"), filters=[strip], validators=[DataRequired(_l("请填写省份")), Length(max=40)])
    city = StringField(_l("市"), filters=[strip], validators=[Length(max=40)],
                       description=_l("市级、区县代理必填；直辖市填「上海市」等"))
    district = StringField(_l("区/县"), filters=[strip], validators=[Length(max=40)],
                           description=_l("区县代理必填"))
    rate = PercentField(_l("分红比例（%）"), validators=[InputRequired(_l("请填写分红比例"))],
                        description=_l("按该区域订单的商品实付金额（不含运费）计算"))


class RateForm(FlaskForm):
    rate = PercentField(_l("新的分红比例（%）"), validators=[InputRequired(_l("请填写分红比例"))],
                        description=_l("只影响此后付款的订单"))


class EndForm(FlaskForm):
    reason = StringField(_l("卸任原因"), filters=[strip], validators=[
        DataRequired(_l("请填写卸任原因")), Length(max=200, message=_l("最多200字"))])
