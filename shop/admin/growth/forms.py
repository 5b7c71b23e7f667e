"""Admin growth forms: the funnel's period and sort, the flags' filters, and the reason of a decision."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from ...growth.funnel import PERIODS
from ...growth.models import FLAG_KINDS, FLAG_STATUSES, HELD
from ..fields import strip

#: How the per-distributor funnel can be sorted.
SORTS = ("visits", "registrations", "first_orders", "sales_fen")


def funnel_filters(args):
    """{'days': 7 or 30, 'sort': one of SORTS} from the query string."""
    days = args.get("days", type=int)
    sort = args.get("sort")
    return {"days": days if days in PERIODS else 7, "sort": sort if sort in SORTS else "visits"}


def flag_filters(args):
    """{'status': a flag status (held by default), 'kind': a flag kind (commission by default)}."""
    status, kind = args.get("status"), args.get("kind")
    return {"status": status if status in FLAG_STATUSES else HELD,
            "kind": kind if kind in FLAG_KINDS else "commission"}


class DecisionForm(FlaskForm):
    """Why staff cleared or voided a flag; the service refuses a blank reason."""
    reason = StringField(_l("处理原因"), filters=[strip], validators=[Length(max=200, message=_l("原因最多200字"))])
