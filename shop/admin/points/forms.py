"""Admin points forms: the points rules (积分设置) and a staff adjustment with its required reason."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, Length

from ...settings import POINTS_BOUNDS, bounds_errors
from ..fields import PercentField, WholeNumberField, strip

PLUS, MINUS = "plus", "minus"


def _number(label, rule):
    return WholeNumberField(label, validators=[InputRequired(_l("请填写"))], description=rule)


class PointsRulesForm(FlaskForm):
    """积分设置: every points setting, each with its rule beside it; the bounds are shop.settings.POINTS_BOUNDS."""
    points_per_yuan = _number(_l("购物奖励（积分/元）"), _l("订单完成（确认收货）后，实付商品金额（不含运费、扣除已退款）每满 1 元奖励这么多积分，"
                                                     "每单只奖励一次；之后退款按比例扣回。0 表示不奖励"))
    checkin_points = _number(_l("每日签到积分"), _l("会员每天（北京时间）可签到一次，得这么多积分；0 表示关闭签到奖励"))
    checkin_streak_days = _number(_l("连续签到天数"), _l("每连续签到满这么多天，额外奖励一次；断签后重新计算。0 表示没有连续奖励"))
    checkin_streak_bonus = _number(_l("连续签到奖励积分"), _l("连续签到满上面的天数时额外奖励的积分"))
    invite_points = _number(_l("邀请奖励积分"), _l("被邀请的会员第一笔订单付款时，奖励邀请人（下单时的直接上级）这么多积分，每位被邀请人只奖励一次"))
    invite_points_daily_cap = _number(_l("邀请奖励每日上限"), _l("每位邀请人每天（北京时间）最多获得的邀请奖励积分，超出部分不再发放"))
    points_per_yuan_spent = _number(_l("抵扣比例（积分/元）"), _l("下单时这么多积分抵 1 元，只按整分抵扣（不足 1 分的积分不使用）"))
    points_max_share = PercentField(_l("最高抵扣比例（%）"), validators=[InputRequired(_l("请填写"))],
                                    description=_l("积分最多抵扣订单商品金额（优惠券之后、不含运费）的这个比例；0 表示不能用积分抵扣"))
    points_valid_days = _number(_l("积分有效期（天）"), _l("积分自获得起这么多天后过期（先获得的先使用），由定时任务 flask shop expire-points 处理；"
                                                       "0 表示永不过期"))

    #: form field -> setting key
    KEYS = {"points_per_yuan": "points_per_yuan", "checkin_points": "checkin_points",
            "checkin_streak_days": "checkin_streak_days", "checkin_streak_bonus": "checkin_streak_bonus",
            "invite_points": "invite_points", "invite_points_daily_cap": "invite_points_daily_cap",
            "points_per_yuan_spent": "points_per_yuan_spent", "points_max_share": "points_max_share_bp",
            "points_valid_days": "points_valid_days"}

    @classmethod
    def from_settings(cls, values):
        """The form filled from the stored settings ({setting key: value})."""
        return cls(formdata=None, data={field: values[key] for field, key in cls.KEYS.items()})

    def settings_data(self):
        """{setting key: value} for shop.settings."""
        return {key: getattr(self, field).data for field, key in self.KEYS.items()}

    def validate(self, extra_validators=None):
        """The field checks, then the bounds, each message beside its field."""
        ok = super().validate(extra_validators)
        by_key = {key: getattr(self, field) for field, key in self.KEYS.items()}
        for key, message in bounds_errors(self.settings_data(), POINTS_BOUNDS).items():
            if not by_key[key].errors:
                by_key[key].errors.append(message)
                ok = False
        return ok


class PointsAdjustForm(FlaskForm):
    """人工调整积分: add or take points, with the required reason (kept on the member's points entry)."""
    direction = RadioField(_l("调整方向"), choices=[(PLUS, _l("增加")), (MINUS, _l("扣减"))], default=PLUS,
                           validators=[InputRequired(_l("请选择增加还是扣减"))], id="points-direction")
    amount = WholeNumberField(_l("积分数"), validators=[InputRequired(_l("请填写调整的积分数"))], id="points-amount")
    reason = StringField(_l("调整原因"), filters=[strip],
                         validators=[InputRequired(_l("请填写调整原因")), Length(max=200, message=_l("原因最多200字"))],
                         description=_l("必填，记录在该会员的积分明细中"), id="points-reason")

    def delta(self):
        """The signed number of points: minus takes points away."""
        amount = abs(self.amount.data or 0)
        return -amount if self.direction.data == MINUS else amount
