"""Admin store forms: a store (address, coordinates typed in degrees), a clerk by phone, a photo."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ...stores.geo import parse_degrees
from ...stores.models import MICRO
from ..fields import strip


def degrees(limit, message):
    def check(form, field):
        if parse_degrees(field.data, limit) is None:
            raise ValidationError(message)
    return check


class StoreForm(FlaskForm):
    name = StringField(_l("门店名称"), filters=[strip], validators=[
        DataRequired(_l("请填写门店名称")), Length(max=60, message=_l("门店名称最多60字"))])
    province = StringField(_l("省"), filters=[strip], validators=[
        DataRequired(_l("请填写省份")), Length(max=40, message=_l("最多40字"))])
    city = StringField(_l("市"), filters=[strip], validators=[
        DataRequired(_l("请填写城市")), Length(max=40, message=_l("最多40字"))],
        description=_l("顾客不允许定位时按城市选择门店；直辖市填「上海市」等"))
    district = StringField(_l("区/县"), filters=[strip], validators=[
        DataRequired(_l("请填写区县")), Length(max=40, message=_l("最多40字"))])
    detail = StringField(_l("详细地址"), filters=[strip], validators=[
        DataRequired(_l("请填写详细地址")), Length(max=200, message=_l("详细地址最多200字"))])
    latitude = StringField(_l("纬度"), filters=[strip], validators=[
        DataRequired(_l("请填写纬度")), degrees(90, _l("纬度应为 -90 到 90 之间的数字，如 31.230416"))],
        description=_l("在地图坐标拾取工具中查到，如 31.230416"))
    longitude = StringField(_l("经度"), filters=[strip], validators=[
        DataRequired(_l("请填写经度")), degrees(180, _l("经度应为 -180 到 180 之间的数字，如 121.473701"))],
        description=_l("如 121.473701；用于按距离为顾客推荐最近的门店"))
    hours = StringField(_l("营业时间"), filters=[strip], validators=[
        Optional(), Length(max=100, message=_l("营业时间最多100字"))], description=_l("如 每天 9:00-21:00"))
    phone = StringField(_l("联系电话"), filters=[strip], validators=[
        Optional(), Length(max=20, message=_l("联系电话最多20位"))])
    is_open = BooleanField(_l("开放自提"), default=True,
                           description=_l("关闭后顾客下单时不再显示该门店；已付款的自提订单仍可核销"))

    def __init__(self, store=None, **kwargs):
        super().__init__(obj=store, **kwargs)
        if store is not None and not self.is_submitted():
            self.latitude.data = f"{store.lat_e6 / MICRO:.6f}"
            self.longitude.data = f"{store.lng_e6 / MICRO:.6f}"

    def store_data(self):
        """The form as save_store takes it: coordinates in micro-degrees."""
        data = {key: self[key].data for key in ("name", "province", "city", "district", "detail", "hours",
                                                 "phone", "is_open")}
        data["lat_e6"], data["lng_e6"] = parse_degrees(self.latitude.data, 90), parse_degrees(self.longitude.data, 180)
        return data


class ClerkForm(FlaskForm):
    phone = StringField(_l("会员手机号"), filters=[strip], validators=[DataRequired(_l("请填写会员手机号"))],
                        description=_l("须是已注册的会员；一个会员只能是一家门店的店员"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "clerk")
        super().__init__(*args, **kwargs)


class PhotoForm(FlaskForm):
    photo = FileField(_l("门店照片"), description=_l("JPG、PNG、WEBP、GIF，最多%(n)s张", n=6))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "photo")
        super().__init__(*args, **kwargs)
