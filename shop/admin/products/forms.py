"""Admin product forms: the product with SKU and image rows as field lists, the product's own commission, and
a promotion material."""
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ...distribution.commission import FIXED, PERCENT
from ...distribution.models import LEVELS
from ...money import bp_to_percent_text, fen_to_yuan_text, parse_percent_bp, parse_yuan
from ..categories.services import category_choices
from ..fields import (
    WholeNumberField,
    YuanField,
    percent_message,
    split_list,
    strip,
    to_id,
    yuan_message,
)
from .services import MAX_IMAGES, commission_levels, product_overrides

#: Empty SKU rows offered under the existing ones (the page's script can add more).
BLANK_SKU_ROWS = 3


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
        return not to_id(self.id.data) and not any((f.raw_data or [""])[0].strip() for f in typed)

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
        return {"id": to_id(self.id.data), "spec_values": split_list(self.spec_values.data),
                "price_fen": self.price.data, "original_price_fen": self.original_price.data or 0,
                "stock": self.stock.data, "code": self.code.data or ""}


class ImageRowForm(Form):
    """One of the product's stored images: its place in the gallery, or removal."""
    id = HiddenField()
    sort = WholeNumberField(_l("顺序"))
    remove = BooleanField(_l("删除"))


def _stored_values(product):
    """The form's data for a stored product (blank when new), with empty SKU rows under its own."""
    rows = [{"id": s.id, "spec_values": ",".join(s.spec_values or []), "price": s.price_fen,
             "original_price": s.original_price_fen or None, "stock": s.stock, "code": s.code or ""}
            for s in (product.active_skus if product else [])]
    rows += [{} for _i in range(BLANK_SKU_ROWS)]
    if product is None:
        return {"skus": rows}
    return {"title": product.title, "subtitle": product.subtitle, "category_id": product.category_id or 0,
            "description": product.description_html, "on_shelf": product.on_shelf,
            "is_featured": product.is_featured, "sort": product.sort, "spec_names": ",".join(product.spec_names or []),
            "skus": rows, "images": [{"id": img.id, "sort": i + 1} for i, img in enumerate(product.images)]}


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
    def for_product(cls, product=None, posted=None):
        """The posted form; or, on GET (or posted=False), the form filled from product (blank when new) plus
        empty SKU rows."""
        if posted is None:
            posted = request.method == "POST"
        if posted:
            return cls()  # posted values alone, never mixed with stored ones
        return cls(formdata=None, data=_stored_values(product))

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
        return self._check_spec_values(names, rows) and ok

    @staticmethod
    def _check_spec_values(names, rows):
        """Each row has one value per spec name, and no two rows the same values."""
        ok, seen = True, set()
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
        return [(to_id(e.form.id.data), e.form.sort.data or 0) for e in self.images
                if to_id(e.form.id.data) and not e.form.remove.data]

    def new_uploads(self):
        return [f for f in self.uploads.data or [] if f and f.filename]


COMMISSION_MODES = [("", _l("不设置")), (PERCENT, _l("按比例（%）")), (FIXED, _l("固定金额（元/件）"))]


class ProductCommissionForm(FlaskForm):
    """A product's own commission per enabled level: a percent of what was paid, or fixed yuan per unit."""
    mode1 = SelectField(_l("一级佣金方式"), choices=COMMISSION_MODES, default="")
    value1 = StringField(_l("一级佣金数值"), filters=[strip])
    mode2 = SelectField(_l("二级佣金方式"), choices=COMMISSION_MODES, default="")
    value2 = StringField(_l("二级佣金数值"), filters=[strip])
    mode3 = SelectField(_l("三级佣金方式"), choices=COMMISSION_MODES, default="")
    value3 = StringField(_l("三级佣金数值"), filters=[strip])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = commission_levels()
        self.parsed = {}

    @classmethod
    def for_product(cls, product):
        """The form filled with the product's stored overrides."""
        data = {}
        for level, row in product_overrides(product.id).items():
            data[f"mode{level}"] = row.mode
            data[f"value{level}"] = bp_to_percent_text(row.value) if row.mode == PERCENT \
                else fen_to_yuan_text(row.value)
        return cls(formdata=None, data=data)

    def level_rows(self):
        """[(level, label, mode field, value field)] of the enabled levels."""
        return [(level, LEVELS[level], self[f"mode{level}"], self[f"value{level}"])
                for level in range(1, self.levels + 1)]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        self.parsed = {}
        for level, _label, mode, value in self.level_rows():
            if mode.data and not mode.errors:
                ok = self._parse_level(level, mode.data, value) and ok
        return ok

    def _parse_level(self, level, mode, value):
        """Parse one level's value as a percent or as yuan, into self.parsed; False when refused."""
        if not value.data:
            value.errors.append(_("请填写佣金数值"))
            return False
        parse, message = (parse_percent_bp, percent_message) if mode == PERCENT else (parse_yuan, yuan_message)
        try:
            self.parsed[level] = (mode, parse(value.data))
        except ValueError:
            value.errors.append(message())
            return False
        return True

    def overrides(self):
        """{level: (mode, value in bp or fen)} for distribution.rules.set_product_commission."""
        return dict(self.parsed)


class PromoMaterialForm(FlaskForm):
    """A promotion material (推广素材) for a product: a text distributors copy, an optional picture."""
    text = TextAreaField(_l("推广文案"), filters=[strip], validators=[
        DataRequired(_l("请填写推广文案")), Length(max=1000, message=_l("推广文案最多1000字"))])
    image = FileField(_l("素材图片"), description=_l("选填；JPG、PNG、WEBP、GIF"))
    sort = WholeNumberField(_l("排序"), default=0, description=_l("数字大的排在前面"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "material")  # the product form on the same page has its own "sort"
        super().__init__(*args, **kwargs)

    def upload(self):
        """The uploaded picture, or None."""
        data = self.image.data
        return data if data is not None and getattr(data, "filename", None) else None
