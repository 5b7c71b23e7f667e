"""Admin withdrawal forms: the queue's filters, the payment reference and the rejection reason."""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from ...wallet.models import METHODS, WITHDRAWAL_STATUSES
from ..fields import strip, to_id

#: At most this many rows are approved by one bulk POST (a page holds fewer).
BULK_LIMIT = 100


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters; None is "any"."""
    status: str = None
    method: str = None
    start: date = None
    end: date = None

    @classmethod
    def from_args(cls, args):
        """From the query string: unknown statuses, methods and dates that are not YYYY-MM-DD are ignored."""
        return cls(status=_one_of(args.get("status"), WITHDRAWAL_STATUSES), method=_one_of(args.get("method"), METHODS),
                   start=_date(args.get("start")), end=_date(args.get("end")))

    def args(self, **changes):
        """The filters as query-string arguments for links (export, pager, tabs), with changes (None drops one)."""
        values = {"status": self.status, "method": self.method, "start": self.start, "end": self.end, **changes}
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items() if v is not None}


def _one_of(value, labels):
    return value if value in labels else None


def _date(text):
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def selected_ids(form):
    """The withdrawal ids ticked in the queue (digits only, at most BULK_LIMIT, each once, in order)."""
    ids = [to_id(value) for value in form.getlist("ids")]
    return list(dict.fromkeys(i for i in ids if i is not None))[:BULK_LIMIT]


class PaidForm(FlaskForm):
    """标记已打款: the reference of the Alipay or bank transfer made outside; wallet.withdrawals refuses a blank."""
    reference = StringField(_l("付款凭证号"), filters=[strip],
                            validators=[Length(max=64, message=_l("凭证号最多64个字符"))])


class RejectForm(FlaskForm):
    """The reason the distributor reads; wallet.withdrawals refuses a blank."""
    reason = StringField(_l("拒绝原因"), filters=[strip], validators=[Length(max=200, message=_l("原因最多200字"))])
