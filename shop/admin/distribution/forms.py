"""Admin distribution forms: the distribution settings, the global commission rules, a grade, a rejection, a
referrer move, the distributor list's filters and a grade change."""
from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from ...converters import whole_number
from ...distribution import settings as distribution_settings
from ...distribution.models import DISTRIBUTOR_STATUSES, LEVELS
from ...money import fen_to_yuan_text
from ..fields import PercentField, WholeNumberField, YuanField, strip, to_count, to_date, to_fen

CHOICE_LABELS = {
    "everyone": _l("人人分销：会员注册即成为分销商"),
    "apply": _l("申请审核：会员提交申请，商家审核通过后成为分销商"),
    "threshold": _l("消费门槛：累计实付金额达到门槛后自动成为分销商"),
    "any": _l("任何还没有上级的会员"), "new": _l("只有通过推广链接新注册的会员"),
    "visit": _l("注册或登录后首次访问推广链接时"), "paid": _l("首次付款成功时"),
}


def _choices(key):
    """The radio choices of one distribution setting: its allowed values, labelled."""
    return [(value, CHOICE_LABELS[value]) for value in distribution_settings.CHOICES[key]]


class DistributionSettingsForm(FlaskForm):
    """Who becomes a distributor, and the binding (锁粉) rules; joining is always free."""
    distribution_mode = RadioField(_l("成为分销商的方式"), choices=_choices("distribution_mode"))
    distribution_threshold = YuanField(_l("消费门槛（元）"), description=_l("仅在「消费门槛」方式下使用"))
    bind_scope = RadioField(_l("可以绑定哪些会员"), choices=_choices("bind_scope"))
    bind_moment = RadioField(_l("什么时候绑定"), choices=_choices("bind_moment"))
    bind_validity = RadioField(_l("绑定有效期"), choices=[
        ("permanent", _l("永久有效")), ("days", _l("连续若干天没有付款订单后失效"))])
    bind_valid_days = WholeNumberField(_l("失效天数"), description=_l("仅在「连续若干天没有付款订单后失效」时使用"))

    @classmethod
    def from_settings(cls, values):
        """The posted form, or on GET the form filled from the stored settings."""
        days = values["bind_valid_days"]
        return cls(data={"distribution_mode": values["distribution_mode"],
                         "distribution_threshold": values["distribution_threshold_fen"],
                         "bind_scope": values["bind_scope"], "bind_moment": values["bind_moment"],
                         "bind_validity": "days" if days else "permanent", "bind_valid_days": days or None})

    def validate(self, extra_validators=None):
        """The field checks, then the distribution domain's own rules, each message beside its field."""
        ok = super().validate(extra_validators)
        checks = ((self.distribution_threshold, distribution_settings.threshold_error(
                       self.distribution_mode.data, self.distribution_threshold.data)),
                  (self.bind_valid_days, distribution_settings.valid_days_error(
                       self.bind_validity.data == "days", self.bind_valid_days.data)))
        for field, error in checks:
            if error and not field.errors:
                field.errors.append(error)
                ok = False
        return ok

    def settings_data(self):
        """Values for distribution.settings.save; a blank threshold keeps the stored one."""
        return {"distribution_mode": self.distribution_mode.data,
                "distribution_threshold_fen": self.distribution_threshold.data,
                "bind_scope": self.bind_scope.data, "bind_moment": self.bind_moment.data,
                "bind_valid_days": self.bind_valid_days.data if self.bind_validity.data == "days" else 0}


class CommissionRulesForm(FlaskForm):
    """Global commission rules. Levels is not limited to the choices here: the engine refuses more than three
    with the legal reason, so a forged 4 gets the same answer as the rule it breaks."""
    levels = SelectField(_l("分销层级"), coerce=int, validate_choice=False,
                         choices=[(1, _l("一级分销")), (2, _l("二级分销")), (3, _l("三级分销"))])
    rate1 = PercentField(_l("一级佣金比例（%）"))
    rate2 = PercentField(_l("二级佣金比例（%）"))
    rate3 = PercentField(_l("三级佣金比例（%）"))
    self_purchase = BooleanField(_l("开启自购返佣（分销商自己购买也算一级）"))
    cap = PercentField(_l("佣金封顶（%）"), validators=[InputRequired(_l("请填写佣金封顶比例"))],
                       description=_l("每笔商品各级佣金合计不超过实付金额的这个比例"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        levels = self.levels.data
        if isinstance(levels, int) and levels not in dict(self.levels.choices):
            # Show a refused value as it was sent, not as the first choice.
            self.levels.choices = list(self.levels.choices) + [(levels, _("%(n)s级分销", n=levels))]

    @classmethod
    def from_rules(cls, row):
        return cls(data={"levels": row.levels, "rate1": row.rate1_bp, "rate2": row.rate2_bp, "rate3": row.rate3_bp,
                         "self_purchase": row.self_purchase, "cap": row.cap_bp})

    def rate_fields(self):
        return [self.rate1, self.rate2, self.rate3]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for field in self.rate_fields()[:min(self.levels.data or 0, len(LEVELS))]:
            if field.data is None and not field.errors:
                field.errors.append(_("请填写已启用层级的佣金比例"))
                ok = False
        return ok

    def rules_data(self):
        """Keyword arguments for distribution.rules.update_global_rules; a blank unused level is 0%."""
        rates = {f"rate{i}_bp": field.data or 0 for i, field in enumerate(self.rate_fields(), start=1)}
        return dict(rates, levels=self.levels.data, self_purchase=self.self_purchase.data, cap_bp=self.cap.data)


GRADE_MONEY_FIELDS = {"min_team_sales": "min_team_sales_fen", "min_own_paid": "min_own_paid_fen",
                      "min_commission": "min_commission_fen"}


class GradeForm(FlaskForm):
    """A distributor grade: its own rates (blank = the global rate) and the conditions to reach it."""
    name = StringField(_l("等级名称"), filters=[strip], validators=[
        DataRequired(_l("请填写等级名称")), Length(max=20, message=_l("等级名称最多20字"))])
    rank = WholeNumberField(_l("等级高低"), description=_l("数字越大等级越高；新建时留空则排在最高；升级只会往高处走"))
    rate1 = PercentField(_l("一级佣金比例（%）"), description=_l("留空则使用全局比例"))
    rate2 = PercentField(_l("二级佣金比例（%）"), description=_l("留空则使用全局比例"))
    rate3 = PercentField(_l("三级佣金比例（%）"), description=_l("留空则使用全局比例"))
    min_direct = WholeNumberField(_l("直推人数达到"), description=_l("0 或留空表示不要求"))
    min_team_sales = YuanField(_l("团队业绩达到（元）"), description=_l("下级会员累计实付金额；0 或留空表示不要求"))
    min_own_paid = YuanField(_l("自购金额达到（元）"), description=_l("本人累计实付金额；0 或留空表示不要求"))
    min_commission = YuanField(_l("累计佣金达到（元）"), description=_l("0 或留空表示不要求"))

    def __init__(self, grade=None, **kwargs):
        if grade is not None:
            kwargs.setdefault("data", {
                "name": grade.name, "rank": grade.rank, "rate1": grade.rate1_bp, "rate2": grade.rate2_bp,
                "rate3": grade.rate3_bp, "min_direct": grade.min_direct,
                **{field: getattr(grade, column) for field, column in GRADE_MONEY_FIELDS.items()}})
        super().__init__(**kwargs)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.rank.data is not None and self.rank.data < 1:
            self.rank.errors.append(_("等级高低须为正整数"))
            ok = False
        if self.min_direct.data is not None and self.min_direct.data < 0:
            self.min_direct.errors.append(_("直推人数不能为负数"))
            ok = False
        return ok

    def grade_data(self):
        """Keyword arguments for distribution.rules.save_grade; a blank rank keeps the stored one."""
        data = {"name": self.name.data, "rate1_bp": self.rate1.data, "rate2_bp": self.rate2.data,
                "rate3_bp": self.rate3.data, "min_direct": self.min_direct.data or 0,
                **{column: getattr(self, field).data or 0 for field, column in GRADE_MONEY_FIELDS.items()}}
        if self.rank.data is not None:
            data["rank"] = self.rank.data
        return data


class RejectApplicationForm(FlaskForm):
    """The reason a member reads; distribution.services.reject refuses an empty one."""
    reason = StringField(_l("拒绝原因"), filters=[strip], validators=[Length(max=200, message=_l("原因最多200字"))])


class MoveReferrerForm(FlaskForm):
    """调整上级: the new referrer's phone (blank = no referrer) and the reason kept in the binding log."""
    referrer_phone = StringField(_l("新上级手机号"), filters=[strip],
                                 description=_l("留空表示不再有上级（成为顶级）；其下级团队随之移动"))
    reason = StringField(_l("调整原因"), filters=[strip],
                         validators=[Length(max=200, message=_l("原因最多200字"))])


@dataclass(frozen=True)
class DistributorFilters:
    """The distributor list's filters (None is "any"); the team is levels 1 to 3, the commission is what they
    earned (frozen + settled, money in fen); the dates are China dates of joining."""
    q: str = ""
    status: str = None
    grade: str = None
    team_min: int = None
    team_max: int = None
    commission_min: int = None
    commission_max: int = None
    start: date = None
    end: date = None

    @classmethod
    def from_args(cls, args):
        """From the query string; unknown statuses, grades and unreadable numbers or dates are ignored (the order is
        queries.SORTING's)."""
        grade = (args.get("grade") or "").strip()
        return cls(q=(args.get("q") or "").strip()[:20],
                   status=args.get("status") if args.get("status") in DISTRIBUTOR_STATUSES else None,
                   grade=grade if grade == "none" or whole_number(grade) is not None else None,
                   team_min=to_count(args.get("team_min")), team_max=to_count(args.get("team_max")),
                   commission_min=to_fen(args.get("commission_min")), commission_max=to_fen(args.get("commission_max")),
                   start=to_date(args.get("start")), end=to_date(args.get("end")))

    def args(self, **changes):
        """The filters as query-string arguments for links (pager, export), with changes (None drops one)."""
        values = {**asdict(self), **changes}
        values["commission_min"], values["commission_max"] = (
            fen_to_yuan_text(v) if v is not None else None for v in (values["commission_min"], values["commission_max"]))
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items() if v not in (None, "")}

    @property
    def narrowed(self):
        """True when any filter narrows the list."""
        return bool(self.args())


class GradeChangeForm(FlaskForm):
    """调整等级: the new grade (or none) and the reason kept in the grade history."""
    grade_id = SelectField(_l("新等级"), coerce=str, validate_choice=False, id="grade-id")
    reason = StringField(_l("调整原因"), filters=[strip], validators=[Length(max=200, message=_l("原因最多200字"))],
                         id="grade-reason")

    def __init__(self, grades=(), **kwargs):
        super().__init__(**kwargs)
        self.grade_id.choices = [("", _("无等级"))] + [(str(g.id), g.name) for g in grades]

    def grade(self):
        """The chosen grade id, or None for no grade (an unknown id is refused by the service)."""
        value = (self.grade_id.data or "").strip()
        if not value:
            return None
        return -1 if whole_number(value) is None else whole_number(value)
