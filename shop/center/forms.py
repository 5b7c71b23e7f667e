"""Distributor center forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..money import parse_yuan
from ..wallet.models import METHODS as METHOD_LABELS

#: Form field -> (method, the payee key wallet.withdrawals expects).
PAYEE_FIELDS = {"wechat_real_name": ("wechat", "real_name"), "alipay_account": ("alipay", "account"),
                "alipay_name": ("alipay", "name"), "bank_name": ("bank", "bank"), "bank_card": ("bank", "card_no"),
                "bank_holder": ("bank", "name")}


def _payee_field(label):
    return StringField(label, validators=[Optional(), Length(max=64)], filters=[lambda v: (v or "").strip()])


class WithdrawForm(FlaskForm):
    amount = StringField(_l("提现金额（元）"), validators=[DataRequired(_l("请输入提现金额"))])
    method = RadioField(_l("提现方式"), validators=[DataRequired(_l("请选择提现方式"))])
    #: WeChat change goes to the member's bound openid (微信授权), never typed in; the real name is needed from
    #: ¥2,000 net (wallet.withdrawals says so on the field).
    wechat_real_name = _payee_field(_l("收款人真实姓名"))
    alipay_account = _payee_field(_l("支付宝账号"))
    alipay_name = _payee_field(_l("支付宝实名"))
    bank_name = _payee_field(_l("开户银行"))
    bank_card = _payee_field(_l("银行卡号"))
    bank_holder = _payee_field(_l("持卡人姓名"))

    def __init__(self, methods, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = [(m, METHOD_LABELS.get(m, m)) for m in methods]
        if not self.method.data and methods:
            self.method.data = methods[0]

    def validate_amount(self, field):
        try:
            self.amount_fen = parse_yuan(field.data)
        except ValueError:
            raise ValidationError(_l("请输入正确的提现金额，最多两位小数"))
        if self.amount_fen <= 0:
            raise ValidationError(_l("请输入正确的提现金额，最多两位小数"))

    def payee(self):
        """The payee details of the chosen method, as wallet.withdrawals takes them."""
        return {key: getattr(self, name).data for name, (method, key) in PAYEE_FIELDS.items()
                if method == self.method.data}

    def payee_fields(self, method):
        return [getattr(self, name) for name, (m, _key) in PAYEE_FIELDS.items() if m == method]
