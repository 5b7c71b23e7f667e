"""Admin coupon forms: a template, an issue to members, the reward settings, the member coupons' filters."""
from datetime import timedelta
from types import SimpleNamespace

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...clock import to_china
from ...coupons.models import COUPON_STATUSES, OBTAIN_WAYS, SCOPES, TEMPLATE_KINDS, VALIDITIES
from ..fields import PercentField, WholeNumberField, YuanField, strip, to_id


class TemplateForm(FlaskForm):
    name = StringField(_l("名称"), filters=[strip], validators=[
        DataRequired(_l("请填写名称")), Length(max=40, message=_l("名称最多40字"))])
    kind = SelectField(_l("类型"), choices=list(TEMPLATE_KINDS.items()), default="fixed")
    amount_fen = YuanField(_l("减免金额（元）"), description=_l("满减券：订单中适用商品减去的金额"))
    percent_bp = PercentField(_l("折扣比例（%）"), description=_l("折扣券：减去适用商品金额的百分之几，如 20 即八折"))
    max_discount_fen = YuanField(_l("最多减（元）"), description=_l("折扣券的封顶金额；留空或 0 表示不封顶"))
    threshold_fen = YuanField(_l("使用门槛（元）"), description=_l("适用商品的金额满多少可用；留空或 0 表示无门槛"))
    scope = SelectField(_l("适用范围"), choices=list(SCOPES.items()), default="all")
    scope_ids = StringField(_l("分类或商品 ID"), filters=[strip], description=_l(
        "指定分类或商品时填写，多个用逗号分隔；一级分类包含其下的二级分类"))
    validity = SelectField(_l("有效期"), choices=list(VALIDITIES.items()), default="days")
    starts_on = DateField(_l("开始日期"), validators=[Optional()], description=_l("固定日期：从这天 0 点起（北京时间）"))
    ends_on = DateField(_l("结束日期"), validators=[Optional()], description=_l("固定日期：到这天 24 点止；过期后不能再领"))
    valid_days = WholeNumberField(_l("领取后有效天数"), default=7, description=_l("领取后 N 天内有效"))
    total = WholeNumberField(_l("发放总量"), default=100, description=_l("所有会员合计最多领取或发放的张数"))
    per_member = WholeNumberField(_l("每人限领"), default=1, description=_l("每位会员最多自行领取的张数（奖励和后台发放不受此限）"))
    obtain = SelectField(_l("获取方式"), choices=list(OBTAIN_WAYS.items()), default="claim")
    enabled = BooleanField(_l("启用"), default=True)


class IssueForm(FlaskForm):
    members = TextAreaField(_l("会员"), filters=[strip], validators=[DataRequired(_l("请填写会员手机号或会员 ID"))],
                            description=_l("每行或用逗号分隔一个手机号或会员 ID，一次最多 200 位"))


class RewardSettingsForm(FlaskForm):
    coupon_register_template_id = SelectField(_l("注册奖励券"), coerce=to_id, validate_choice=False,
                                              description=_l("新会员注册成功后自动发放一张"))
    coupon_invite_template_id = SelectField(_l("邀请奖励券"), coerce=to_id, validate_choice=False,
                                            description=_l("被邀请人的首个订单支付后，给其上级发放一张；每位被邀请人只奖励一次"))

    def set_choices(self, templates, blank_label):
        choices = [("", blank_label)] + [(t.id, t.name + ("" if t.enabled else " ×")) for t in templates]
        self.coupon_register_template_id.choices = self.coupon_invite_template_id.choices = choices


def template_data(template):
    """What the template form shows for a template: its columns, the ids as text, the dates as China days."""
    if template is None:
        return None
    data = {column.key: getattr(template, column.key) for column in template.__table__.columns}
    data["scope_ids"] = ", ".join(str(i) for i in template.scope_ids or ())
    data["starts_on"] = template.starts_at and to_china(template.starts_at).date()
    data["ends_on"] = template.ends_at and (to_china(template.ends_at) - timedelta(days=1)).date()
    return SimpleNamespace(**data)


def coupon_filters(args):
    """{'template_id', 'status', 'phone'} from the query string, anything malformed dropped."""
    status = args.get("status")
    return {"template_id": to_id(args.get("template_id")), "status": status if status in COUPON_STATUSES else None,
            "phone": (args.get("phone") or "").strip()[:20]}
