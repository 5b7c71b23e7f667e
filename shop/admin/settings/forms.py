"""Admin settings forms: the shipping rule, and the merchant rules (after-sale and commission freeze, orders,
withdrawals), each with the rule it follows next to it."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from ...settings import WITHDRAW_METHODS, rule_errors
from ...wallet.models import METHODS
from ..fields import PercentField, WholeNumberField, YuanField


class ShippingRuleForm(FlaskForm):
    shipping_fee = YuanField(_l("运费（元）"), validators=[InputRequired(_l("请填写运费"))],
                             description=_l("每笔订单收取的固定运费；0 表示全部包邮"))
    free_shipping_threshold = YuanField(_l("包邮门槛（元）"), validators=[InputRequired(_l("请填写包邮门槛"))],
                                        description=_l("商品金额达到这个数就免运费；0 表示不设包邮门槛"))


class CheckboxesField(SelectMultipleField):
    """Several choices, one checkbox each."""
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _required(message):
    return [InputRequired(message)]


class MerchantRulesForm(FlaskForm):
    """商家规则: the values shop.settings.rule_errors checks; each field's description is its rule."""
    refund_window_days = WholeNumberField(
        _l("售后期（天）"), validators=_required(_l("请填写售后期")),
        description=_l("订单完成（确认收货）后，买家在这么多天内还能申请退款。网购商品依法享有七天无理由退货，建议不少于 7 天"))
    commission_freeze_days = WholeNumberField(
        _l("佣金冻结期（天）"), validators=_required(_l("请填写佣金冻结期")),
        description=_l("订单完成后佣金冻结这么多天再结算为可提现。不能短于售后期：否则佣金结算、被提现后买家才退款，"
                       "只能从分销商那里追回，形成欠款"))
    auto_confirm_days = WholeNumberField(
        _l("自动确认收货（天）"), validators=_required(_l("请填写自动确认收货天数")),
        description=_l("发货后买家一直没有确认收货，这么多天后自动确认，订单完成，售后期从这时开始计算"))
    order_expire_minutes = WholeNumberField(
        _l("未付款订单自动关闭（分钟）"), validators=_required(_l("请填写未付款订单关闭时间")),
        description=_l("下单后这么多分钟内没有付款，订单自动关闭并释放库存；之后才到的付款会在有库存时照常接受，否则自动退款"))
    withdraw_min = YuanField(_l("最低提现金额（元）"), validators=_required(_l("请填写最低提现金额")),
                             description=_l("单笔提现不能低于这个金额；不能高于每日提现额度"))
    withdraw_fee = PercentField(_l("提现手续费（%）"), validators=_required(_l("请填写提现手续费，不收取填 0")),
                                description=_l("按提现金额的比例收取，向下取整到分；0 表示不收取；须低于 100%"))
    withdraw_daily_count = WholeNumberField(_l("每日提现次数"), validators=_required(_l("请填写每日提现次数")),
                                            description=_l("每位分销商每天最多申请几次（被拒绝的不计）"))
    withdraw_daily_amount = YuanField(_l("每日提现额度（元）"), validators=_required(_l("请填写每日提现额度")),
                                      description=_l("每位分销商每天合计最多提现这么多（被拒绝的不计）"))
    transfer_confirm_hours = WholeNumberField(
        _l("微信转账确认期限（小时）"), validators=_required(_l("请填写确认期限")),
        description=_l("微信零钱提现审核通过后，分销商须在这么多小时内在微信中确认收款，过期自动撤销转账、金额退回可提现余额"
                       "（微信最长 24 小时）"))
    stuck_after_hours = WholeNumberField(
        _l("滞留告警（小时）"), validators=_required(_l("请填写滞留告警时间")),
        description=_l("退款或转账超过这么多小时仍没有结果时，在支付告警中提醒一次，资金对账也会报出"))
    withdraw_methods = CheckboxesField(_l("开启的提现方式"), choices=[(m, METHODS[m]) for m in WITHDRAW_METHODS],
                                       description=_l("至少开启一种；关闭后已提交的提现照常处理"))

    #: form field -> setting key
    KEYS = {"refund_window_days": "refund_window_days", "commission_freeze_days": "commission_freeze_days",
            "auto_confirm_days": "auto_confirm_days", "order_expire_minutes": "order_expire_minutes",
            "withdraw_min": "withdraw_min_fen", "withdraw_fee": "withdraw_fee_bp",
            "withdraw_daily_count": "withdraw_daily_count", "withdraw_daily_amount": "withdraw_daily_amount_fen",
            "withdraw_methods": "withdraw_methods", "transfer_confirm_hours": "transfer_confirm_hours",
            "stuck_after_hours": "stuck_after_hours"}

    @classmethod
    def from_settings(cls, values):
        """The form filled from the stored settings ({setting key: value}), whatever was posted."""
        return cls(formdata=None, data={field: values[key] for field, key in cls.KEYS.items()})

    def validate(self, extra_validators=None):
        """The field checks, then shop.settings' rules, each message beside its field."""
        ok = super().validate(extra_validators)
        by_key = {key: getattr(self, field) for field, key in self.KEYS.items()}
        for key, message in rule_errors(self.settings_data()).items():
            if not by_key[key].errors:
                by_key[key].errors.append(message)
                ok = False
        return ok

    def settings_data(self):
        """{setting key: value} for shop.settings."""
        return {key: getattr(self, field).data for field, key in self.KEYS.items()}
