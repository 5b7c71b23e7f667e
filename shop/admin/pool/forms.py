"""Admin pool forms: the settings (rate in percent, period, grades, split, refund policy) and a period to pay."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, InputRequired

from ...pool.models import PERIOD_KINDS, REFUND_POLICIES, SPLITS
from ..fields import PercentField, strip


class PoolSettingsForm(FlaskForm):
    rate = PercentField(_l("分红比例（%）"), validators=[InputRequired(_l("请填写分红比例"))],
                        description=_l("每期已完成订单商品实付金额的百分比；0 表示关闭分红池"))
    period = RadioField(_l("分红周期"), choices=list(PERIOD_KINDS.items()))
    grade_ids = SelectMultipleField(_l("参与分红的等级"), coerce=int, widget=widgets.ListWidget(prefix_label=False),
                                    option_widget=widgets.CheckboxInput())
    split = RadioField(_l("分配方式"), choices=list(SPLITS.items()),
                       description=_l("按业绩：按本期每人直推（一级）已完成订单的商品实付金额分配"))
    refund_policy = RadioField(_l("发放后发生退款"), choices=list(REFUND_POLICIES.items()),
                               description=_l("追回：按比例从各人分红中扣回，余额可为负；商家承担：分红不变"))

    def __init__(self, values, grades, **kw):
        super().__init__(data={"rate": values["pool_rate_bp"], "period": values["pool_period"],
                               "grade_ids": values["pool_grade_ids"], "split": values["pool_split"],
                               "refund_policy": values["pool_refund_policy"]}, **kw)
        self.grade_ids.choices = [(g.id, g.name) for g in grades]

    def values(self):
        """The settings as pool.settings stores them."""
        return {"pool_rate_bp": self.rate.data, "pool_period": self.period.data, "pool_grade_ids": self.grade_ids.data,
                "pool_split": self.split.data, "pool_refund_policy": self.refund_policy.data}


class PayForm(FlaskForm):
    period = StringField(_l("期间"), filters=[strip], validators=[DataRequired(_l("请填写期间，如 2026-11"))],
                         description=_l("按月如 2026-11，按周如 2026-W48；每期只发放一次"))
