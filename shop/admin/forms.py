"""Admin forms: money typed in yuan, rates typed in percent, whole numbers in our own words, SKU and image rows
as field lists."""
import re

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from ..distribution.models import LEVELS as LEVEL_LABELS
from ..money import bp_to_percent_text, fen_to_yuan_text, parse_percent_bp, parse_yuan
from .services import MAX_IMAGES, category_choices, commission_levels, parent_choices, product_overrides

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


class PercentField(StringField):
    """A rate typed in percent ("7.5"); .data is integer basis points (750), or None when left blank."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            try:
                self.data = parse_percent_bp(text)
            except ValueError:
                raise ValueError(_("比例格式不正确，请填写 0 到 100 之间、最多两位小数的数字，如 7.5"))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return bp_to_percent_text(self.data)


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
    def for_product(cls, product=None, posted=None):
        """The posted form; or, on GET (or posted=False), the form filled from product (blank when new) plus
        empty SKU rows."""
        if posted is None:
            posted = request.method == "POST"
        if posted:
            return cls()  # posted values alone, never mixed with stored ones
        rows = [{"id": s.id, "spec_values": ",".join(s.spec_values or []), "price": s.price_fen,
                 "original_price": s.original_price_fen or None, "stock": s.stock, "code": s.code or ""}
                for s in (product.active_skus if product else [])]
        rows += [{} for _i in range(BLANK_SKU_ROWS)]
        if product is None:
            return cls(formdata=None, data={"skus": rows})
        return cls(formdata=None, data={
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


# ---- distribution ----------------------------------------------------------------------------------------

class DistributionSettingsForm(FlaskForm):
    """Who becomes a distributor, and the binding (锁粉) rules; joining is always free."""
    distribution_mode = RadioField(_l("成为分销商的方式"), choices=[
        ("everyone", _l("人人分销：会员注册即成为分销商")),
        ("apply", _l("申请审核：会员提交申请，商家审核通过后成为分销商")),
        ("threshold", _l("消费门槛：累计实付金额达到门槛后自动成为分销商"))])
    distribution_threshold = YuanField(_l("消费门槛（元）"), description=_l("仅在「消费门槛」方式下使用"))
    bind_scope = RadioField(_l("可以绑定哪些会员"), choices=[
        ("any", _l("任何还没有上级的会员")), ("new", _l("只有通过推广链接新注册的会员"))])
    bind_moment = RadioField(_l("什么时候绑定"), choices=[
        ("visit", _l("注册或登录后首次访问推广链接时")), ("paid", _l("首次付款成功时"))])
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
        ok = super().validate(extra_validators)
        if self.distribution_mode.data == "threshold" and not self.distribution_threshold.errors \
                and not self.distribution_threshold.data:
            self.distribution_threshold.errors.append(_("请填写大于0的消费门槛"))
            ok = False
        if self.bind_validity.data == "days" and not self.bind_valid_days.errors \
                and not 1 <= (self.bind_valid_days.data or 0) <= 3650:
            self.bind_valid_days.errors.append(_("请填写1到3650之间的天数"))
            ok = False
        return ok

    def settings_data(self):
        """Values for admin.services.save_distribution_settings; a blank threshold keeps the stored one."""
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
        for field in self.rate_fields()[:min(self.levels.data or 0, len(LEVEL_LABELS))]:
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


COMMISSION_MODES = [("", _l("不设置")), ("percent", _l("按比例（%）")), ("fixed", _l("固定金额（元/件）"))]


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
            data[f"value{level}"] = bp_to_percent_text(row.value) if row.mode == "percent" \
                else fen_to_yuan_text(row.value)
        return cls(formdata=None, data=data)

    def level_rows(self):
        """[(level, label, mode field, value field)] of the enabled levels."""
        return [(level, LEVEL_LABELS[level], self[f"mode{level}"], self[f"value{level}"])
                for level in range(1, self.levels + 1)]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        self.parsed = {}
        for level, _label, mode, value in self.level_rows():
            if not mode.data or mode.errors:
                continue
            parse, message = (parse_percent_bp, _("比例格式不正确，请填写 0 到 100 之间、最多两位小数的数字，如 7.5")) \
                if mode.data == "percent" else (parse_yuan, _("金额格式不正确，请填写如 59.00 的数字"))
            if not value.data:
                value.errors.append(_("请填写佣金数值"))
                ok = False
                continue
            try:
                self.parsed[level] = (mode.data, parse(value.data))
            except ValueError:
                value.errors.append(message)
                ok = False
        return ok

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

