"""A commission explained in the reader's language, rebuilt from what the row stores (level, base, rate or
fixed amount and quantity, rule source): '一级佣金：实付 ¥100.00 × 10.00% = ¥10.00（全局比例）'."""
from flask_babel import gettext as _

from ..money import format_bp, format_fen
from ..orders.models import DISCOUNT_KINDS
from .commission import rule_amount
from .models import LEVELS, RULE_SOURCES


def explain(commission):
    """The sentence for a stored commission (or an engine Share: same fields)."""
    full = rule_amount(commission.base_fen, commission.rate_bp, commission.fixed_fen, commission.quantity)
    if commission.fixed_fen is not None:
        formula = _("每件 %(fixed)s × %(n)s 件 = %(amount)s", fixed=format_fen(commission.fixed_fen),
                    n=commission.quantity, amount=format_fen(full))
    else:
        formula = _("实付 %(base)s × %(rate)s = %(amount)s", base=format_fen(commission.base_fen),
                    rate=format_bp(commission.rate_bp), amount=format_fen(full))
    if commission.amount_fen < full:
        formula = _("%(formula)s，受佣金封顶限制实得 %(amount)s", formula=formula,
                    amount=format_fen(commission.amount_fen))
    sentence = _("%(level)s佣金：%(formula)s（%(source)s）", level=LEVELS[commission.level], formula=formula,
                 source=RULE_SOURCES[commission.source])
    line = getattr(commission, "order_line", None)
    if line is not None and line.discounts:
        sentence = _("%(sentence)s。%(base)s", sentence=sentence, base=explain_base(line))
    return sentence


def explain_base(line):
    """How a line's discounts made its paid amount, the commission base: '实付 ¥85.00 = 商品 ¥100.00 − 优惠券 ¥10.00
    − 积分抵扣 ¥5.00（运费不计佣）'."""
    parts = "".join(_(" − %(kind)s %(fen)s", kind=DISCOUNT_KINDS.get(kind, kind), fen=format_fen(fen))
                    for kind, fen in sorted(line.discounts.items()) if fen)
    return _("实付 %(paid)s = 商品 %(total)s%(parts)s（运费不计佣）", paid=format_fen(line.paid_amount_fen),
             total=format_fen(line.line_total_fen), parts=parts)
