"""Admin category form."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..fields import WholeNumberField, strip
from .services import parent_choices


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
