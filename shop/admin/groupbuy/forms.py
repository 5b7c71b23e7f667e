"""Admin 拼团 forms: the activity (times typed in China time, prices in yuan per SKU) and the groups filter."""
from datetime import timezone

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from ...clock import CHINA, to_china
from ...errors import ServiceError
from ...groupbuy.models import OVERFLOWS
from ...money import fen_to_yuan_text, parse_yuan
from ..fields import WholeNumberField, strip

TIME_FORMAT = "%Y-%m-%dT%H:%M"


class ActivityForm(FlaskForm):
    title = StringField(_l("活动名称"), filters=[strip], validators=[
        DataRequired(_l("请填写活动名称")), Length(max=60, message=_l("活动名称最多60字"))])
    group_size = WholeNumberField(_l("成团人数"), default=2, validators=[InputRequired(_l("请填写成团人数"))],
                                  description=_l("2 到 50 人；团长也算一人"))
    hours_limit = WholeNumberField(_l("成团时限（小时）"), default=24, validators=[InputRequired(_l("请填写成团时限"))],
                                   description=_l("从团长付款起计时，到时未满员的团失败，已付款订单全额退款"))
    starts_at = DateTimeLocalField(_l("开始时间"), format=TIME_FORMAT, validators=[
        InputRequired(_l("请填写开始时间"))], description=_l("北京时间"))
    ends_at = DateTimeLocalField(_l("结束时间"), format=TIME_FORMAT, validators=[
        InputRequired(_l("请填写结束时间"))], description=_l("结束后不能再开团或参团；已开的团仍按各自时限结束"))
    per_member_limit = WholeNumberField(_l("每人限参团次数"), default=1, validators=[
        InputRequired(_l("请填写每人限参团次数"))], description=_l("同一会员在本活动中最多持有的拼团订单数（待付款与已参团）"))
    max_quantity = WholeNumberField(_l("每单限购件数"), default=1, validators=[InputRequired(_l("请填写每单限购件数"))])
    commission = BooleanField(_l("拼团订单计算分销佣金"), default=False,
                              description=_l("不勾选时，拼团订单不给上级分佣（多数商城的做法）"))
    overflow = RadioField(_l("满团后再付款的处理方式"), default="refund",
                          choices=[(key, label) for key, label in OVERFLOWS.items()],
                          description=_l("团已满员或已过期时才付款的会员：自动全额退款，或以其为团长新开一个团"))
    simulate = BooleanField(_l("模拟成团"), default=False,
                            description=_l("到时只差一人的团也算成功，照常发货"))
    is_active = BooleanField(_l("启用"), default=True)

    def __init__(self, activity=None, **kwargs):
        super().__init__(obj=activity, **kwargs)
        if activity is not None and not self.is_submitted():
            self.starts_at.data = to_china(activity.starts_at).replace(tzinfo=None)
            self.ends_at.data = to_china(activity.ends_at).replace(tzinfo=None)

    def values(self, product_id):
        """The activity's columns, the times as naive UTC."""
        data = {name: getattr(self, name).data for name in (
            "title", "group_size", "hours_limit", "per_member_limit", "max_quantity", "commission", "overflow",
            "simulate", "is_active")}
        data.update(product_id=product_id, starts_at=china_to_utc(self.starts_at.data),
                    ends_at=china_to_utc(self.ends_at.data))
        return data


def china_to_utc(value):
    return value.replace(tzinfo=CHINA).astimezone(timezone.utc).replace(tzinfo=None) if value else None


def sku_prices(form, product):
    """{sku_id: fen} from the posted price_<sku id> fields in yuan; blank ones take no part."""
    prices = {}
    for sku in product.skus:
        text = (form.get(f"price_{sku.id}") or "").strip()
        if not text:
            continue
        try:
            prices[sku.id] = parse_yuan(text)
        except ValueError:
            raise ServiceError(_("「%(s)s」的拼团价格式不正确，请填写如 59.00 的数字", s=sku.spec_text or _("默认")))
    return prices


def price_texts(activity, form):
    """What each SKU's price field shows: what was posted, else the saved price."""
    saved = {p.sku_id: fen_to_yuan_text(p.price_fen) for p in (activity.prices if activity else [])}
    return lambda sku_id: form.get(f"price_{sku_id}", saved.get(sku_id, ""))
