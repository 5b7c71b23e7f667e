"""Admin commission forms: the commission search's filters and a manual adjustment."""
from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, Length

from ...converters import whole_number
from ...distribution.models import COMMISSION_STATUSES, LEVELS
from ...wallet.adjustments import adjustment_error
from ..fields import YuanField, strip, to_date

PLUS, MINUS = "plus", "minus"


@dataclass(frozen=True)
class CommissionFilters:
    """The commission search (None / "" is "any"): the distributor by phone, invite code or nickname, the order
    number, the status, the level and the China dates it was created."""
    distributor: str = ""
    order: str = ""
    status: str = None
    level: int = None
    start: date = None
    end: date = None

    @classmethod
    def from_args(cls, args):
        """From the query string; unknown statuses and levels and dates that are not YYYY-MM-DD are ignored."""
        level = (args.get("level") or "").strip()
        return cls(distributor=(args.get("distributor") or "").strip()[:20], order=(args.get("order") or "").strip()[:32],
                   status=args.get("status") if args.get("status") in COMMISSION_STATUSES else None,
                   level=whole_number(level) if whole_number(level) in LEVELS else None,
                   start=to_date(args.get("start")), end=to_date(args.get("end")))

    def args(self, **changes):
        """The filters as query-string arguments for links (pager, tabs), with changes (None drops one)."""
        values = {**asdict(self), **changes}
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items() if v not in (None, "")}


class AdjustmentForm(FlaskForm):
    """人工调整佣金: add to or take from the available balance, an amount in yuan and the required reason."""
    direction = RadioField(_l("调整方向"), choices=[(PLUS, _l("增加")), (MINUS, _l("扣减"))], default=PLUS,
                           validators=[InputRequired(_l("请选择增加还是扣减"))], id="adjust-direction")
    amount = YuanField(_l("金额（元）"), validators=[InputRequired(_l("请填写调整金额"))], id="adjust-amount")
    reason = StringField(_l("调整原因"), filters=[strip], validators=[Length(max=200, message=_l("原因最多200字"))],
                         description=_l("必填，记录在该分销商的账户流水中"), id="adjust-reason")

    def amount_fen(self):
        """The signed amount: minus takes money away."""
        return -self.amount.data if self.direction.data == MINUS else self.amount.data

    def validate(self, extra_validators=None):
        """The field checks, then the adjustment's own rules, each message beside its field."""
        ok = super().validate(extra_validators)
        if ok:
            error = adjustment_error(self.amount_fen(), self.reason.data)
            if error:
                (self.reason if not self.reason.data else self.amount).errors.append(error)
                ok = False
        return ok
