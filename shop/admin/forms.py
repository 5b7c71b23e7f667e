"""Admin forms: money typed in yuan, whole numbers in our own words, SKU and image rows as field lists."""
import re

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from ..money import fen_to_yuan_text, parse_yuan
from .services import MAX_IMAGES, category_choices, parent_choices

#: Empty SKU rows offered under the existing ones (the page's script can add more).
BLANK_SKU_ROWS = 3
_LIST_SEPARATORS = re.compile(r"[,，、]")
_WHOLE_NUMBER = re.compile(r"^[+-]?\d{1,9}$")


def split_list(text):
    """'颜色, 尺码' (ASCII or Chinese commas) -> ['颜色', '尺码']; empty parts dropped."""
    return [part.strip() for part in _LIST_SEPARATORS.split(text or "") if part.strip()]


def strip(value):
    return value.strip() if isinstance(value, str) else value


def _to_id(value):
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


class YuanField(StringField):
    """An amount typed in yuan ("59.00"); .data is integer fen, or None when left blank."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            try:
                self.data = parse_yuan(text)
            except ValueError:
                raise ValueError(_("金额格式不正确，请填写如 59.00 的数字"))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return fen_to_yuan_text(self.data) if self.data is not None else ""


class WholeNumberField(StringField):
    """A whole number; .data is an int, or None when left blank."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            if not _WHOLE_NUMBER.match(text):
                raise ValueError(_("请填写整数"))
            self.data = int(text)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class SkuRowForm(Form):
    """One SKU row; a new row left completely empty is ignored."""
    id = HiddenField()
    spec_values = StringField(_l("规格值"), filters=[strip], validators=[Length(max=200)])
    price = YuanField(_l("价格（元）"))
    original_price = YuanField(_l("原价（元）"))
    stock = WholeNumberField(_l("库存"))
    code = StringField(_l("SKU编码"), filters=[strip], validators=[Length(max=64)])
    remove = BooleanField(_l("删除"))

    @property
    def is_blank(self):
        typed = (self.spec_values, self.price, self.original_price, self.stock, self.code)
        return not _to_id(self.id.data) and not any((f.raw_data or [""])[0].strip() for f in typed)

    @property
    def is_used(self):
        return not self.is_blank and not self.remove.data

    def validate(self, extra_validators=None):
        if not self.is_used:
            return True
        ok = super().validate(extra_validators)
        for field, missing in ((self.price, _("请填写价格")), (self.stock, _("请填写库存"))):
            if field.data is None and not field.errors:
                field.errors.append(missing)
        if self.price.data == 0:
            self.price.errors.append(_("价格必须大于0"))
        if self.stock.data is not None and self.stock.data < 0:
            self.stock.errors.append(_("库存不能为负数"))
        return ok and not (self.price.errors or self.stock.errors)

    def sku_data(self):
        return {"id": _to_id(self.id.data), "spec_values": split_list(self.spec_values.data),
                "price_fen": self.price.data, "original_price_fen": self.original_price.data or 0,
                "stock": self.stock.data, "code": self.code.data or ""}


class ImageRowForm(Form):
    """One of the product's stored images: its place in the gallery, or removal."""
    id = HiddenField()
    sort = WholeNumberField(_l("顺序"))
    remove = BooleanField(_l("删除"))


class ProductForm(FlaskForm):
    title = StringField(_l("商品标题"), filters=[strip], validators=[
        DataRequired(_l("请填写商品标题")), Length(max=120, message=_l("商品标题最多120字"))])
    subtitle = StringField(_l("副标题"), filters=[strip],
                           validators=[Length(max=200, message=_l("副标题最多200字"))])
    category_id = SelectField(_l("分类"), coerce=int, default=0)
    description = TextAreaField(_l("商品详情"), description=_l("可用段落、加粗、列表、表格和图片；脚本等不安全内容会被去掉"))
    on_shelf = BooleanField(_l("上架销售"), default=True)
    is_featured = BooleanField(_l("首页推荐"))
    sort = WholeNumberField(_l("排序"), default=0, description=_l("数字大的排在前面"))
    spec_names = StringField(_l("规格名"), filters=[strip], validators=[Length(max=100)],
                             description=_l("多个用逗号分隔，如：颜色,尺码；只有一种规格时留空"))
    skus = FieldList(FormField(SkuRowForm), max_entries=200)
    images = FieldList(FormField(ImageRowForm), max_entries=50)
    uploads = MultipleFileField(_l("上传图片"), description=_l("JPG、PNG、WEBP、GIF，可多选，最多%(n)s张",
                                                            n=MAX_IMAGES))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_id.choices = category_choices(_("未分类"))

    @classmethod
    def for_product(cls, product=None):
        """The posted form; or, on GET, the form filled from product (blank when new) plus empty SKU rows."""
        if request.method == "POST":
            return cls()  # posted values alone, never mixed with stored ones
        rows = [{"id": s.id, "spec_values": ",".join(s.spec_values or []), "price": s.price_fen,
                 "original_price": s.original_price_fen or None, "stock": s.stock, "code": s.code or ""}
                for s in (product.active_skus if product else [])]
        rows += [{} for _i in range(BLANK_SKU_ROWS)]
        if product is None:
            return cls(data={"skus": rows})
        return cls(data={
            "title": product.title, "subtitle": product.subtitle, "category_id": product.category_id or 0,
            "description": product.description_html, "on_shelf": product.on_shelf,
            "is_featured": product.is_featured, "sort": product.sort, "spec_names": ",".join(product.spec_names or []),
            "skus": rows, "images": [{"id": img.id, "sort": i + 1} for i, img in enumerate(product.images)],
        })

    def used_sku_rows(self):
        return [entry.form for entry in self.skus if entry.form.is_used]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        names = split_list(self.spec_names.data)
        if len(set(names)) != len(names):
            self.spec_names.errors.append(_("规格名不能重复"))
            ok = False
        rows = self.used_sku_rows()
        if not rows:
            self.form_errors.append(_("至少需要一个规格(SKU)：请填写一行价格和库存"))
            ok = False
        seen = set()
        for row in rows:
            values = tuple(split_list(row.spec_values.data))
            if len(values) != len(names):
                row.spec_values.errors.append(
                    _("请按「%(names)s」依次填写%(n)s个规格值", names=",".join(names), n=len(names)) if names
                    else _("没有规格名时规格值应留空"))
                ok = False
            elif values in seen:
                row.spec_values.errors.append(_("规格组合重复"))
                ok = False
            seen.add(values)
        return ok

    def product_data(self):
        """The plain values catalog.services.save_product takes (the service adds the images)."""
        return {
            "title": self.title.data, "subtitle": self.subtitle.data or "",
            "category_id": self.category_id.data or None, "description": self.description.data or "",
            "on_shelf": self.on_shelf.data,
            "is_featured": self.is_featured.data, "sort": self.sort.data or 0,
            "spec_names": split_list(self.spec_names.data), "skus": [r.sku_data() for r in self.used_sku_rows()],
        }

    def image_order(self):
        """[(image id, sort)] of the stored images to keep."""
        return [(_to_id(e.form.id.data), e.form.sort.data or 0) for e in self.images
                if _to_id(e.form.id.data) and not e.form.remove.data]

    def new_uploads(self):
        return [f for f in self.uploads.data or [] if f and f.filename]


class CategoryForm(FlaskForm):
    name = StringField(_l("分类名称"), filters=[strip], validators=[
        DataRequired(_l("请填写分类名称")), Length(max=40, message=_l("分类名称最多40字"))])
    # validate_choice=False: save_category refuses a wrong parent in words the merchant understands.
    parent_id = SelectField(_l("上级分类"), coerce=int, default=0, validate_choice=False,
                            description=_l("只有一级分类可以作为上级；分类最多两级"))
    sort = WholeNumberField(_l("排序"), default=0, description=_l("数字大的排在前面"))
    is_visible = BooleanField(_l("在商城显示"), default=True)

    def __init__(self, category=None, **kwargs):
        super().__init__(obj=category, **kwargs)
        self.parent_id.choices = parent_choices(_("无（作为一级分类）"), category)


class ShippingRuleForm(FlaskForm):
    shipping_fee = YuanField(_l("运费（元）"), validators=[InputRequired(_l("请填写运费"))],
                             description=_l("每笔订单收取的固定运费；0 表示全部包邮"))
    free_shipping_threshold = YuanField(_l("包邮门槛（元）"), validators=[InputRequired(_l("请填写包邮门槛"))],
                                        description=_l("商品金额达到这个数就免运费；0 表示不设包邮门槛"))


class ShipForm(FlaskForm):
    """Company and tracking number; orders.services.ship_order checks them."""
    company = StringField(_l("物流公司"))
    tracking_no = StringField(_l("运单号"))
