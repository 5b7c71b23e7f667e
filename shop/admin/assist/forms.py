"""Admin 助力免单 form: the product and its rule."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField

from ..fields import WholeNumberField


class RuleForm(FlaskForm):
    product_id = WholeNumberField(_l("商品 ID"), description=_l("参加助力免单的商品；免单券的面额为该商品最贵规格的价格"))
    helps_needed = WholeNumberField(_l("需要助力人数"), default=3, description=_l(
        "发起人邀请这么多位新会员通过其链接注册后，获得免单券；每位新会员只能助力一次，与发起人同设备或一小时内同 IP 的注册不计入"))
    hours = WholeNumberField(_l("助力时限（小时）"), default=24, description=_l("从发起起算，超时未满人数则活动结束，不发券"))
    enabled = BooleanField(_l("启用"), default=True)
