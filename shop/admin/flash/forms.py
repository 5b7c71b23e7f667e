"""Admin flash-sale forms: a slot (times in China time) and an item."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from ...clock import to_china
from ..fields import WholeNumberField, YuanField, strip

TIME_FORMAT = "%Y-%m-%dT%H:%M"


class SlotForm(FlaskForm):
    title = StringField(_l("场次名称"), filters=[strip], validators=[
        DataRequired(_l("请填写场次名称")), Length(max=60, message=_l("场次名称最多60字"))],
        description=_l("如「10点场」，显示在首页和秒杀页"))
    starts_at = DateTimeLocalField(_l("开始时间"), format=TIME_FORMAT, validators=[
        InputRequired(_l("请填写开始时间"))], description=_l("北京时间；开始前商城显示倒计时和「即将开始」"))
    ends_at = DateTimeLocalField(_l("结束时间"), format=TIME_FORMAT, validators=[
        InputRequired(_l("请填写结束时间"))], description=_l("北京时间；结束后不能再按秒杀价下单"))
    is_active = BooleanField(_l("启用"), default=True, description=_l("关闭后商城不显示、也不能下单"))

    def __init__(self, slot=None, **kwargs):
        super().__init__(obj=slot, **kwargs)
        if slot is not None and not self.is_submitted():
            self.starts_at.data = to_china(slot.starts_at).replace(tzinfo=None)
            self.ends_at.data = to_china(slot.ends_at).replace(tzinfo=None)


class ItemForm(FlaskForm):
    sku_id = WholeNumberField(_l("SKU编号"), description=_l("在下方按商品名搜索，点「选择」填入"))
    price_fen = YuanField(_l("秒杀价（元）"), validators=[InputRequired(_l("请填写秒杀价"))],
                          description=_l("须低于SKU原价"))
    stock = WholeNumberField(_l("秒杀库存"), validators=[InputRequired(_l("请填写秒杀库存"))],
                             description=_l("独立于商品库存：秒杀订单只扣这里，未付款取消或超时后退回"))
    per_member_limit = WholeNumberField(_l("每人限购"), default=1, validators=[InputRequired(_l("请填写每人限购"))],
                                        description=_l("每位会员在本商品上（未取消的订单）最多可买的件数"))
    commission = BooleanField(_l("秒杀订单计算佣金"), default=False,
                              description=_l("不勾选时，按秒杀价成交的商品不给分销员佣金（多数商城如此）"))
    sort = WholeNumberField(_l("排序"), default=0, description=_l("数字大的排在前面"))

    def __init__(self, item=None, **kwargs):
        super().__init__(obj=item, **kwargs)
