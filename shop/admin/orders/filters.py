"""The order list's filters, read from the query string (a GET form kept in the URL, so the pager, the export and
the bulk ship keep them). A value a staff member mistyped is ignored with a message, never an error page."""
from dataclasses import dataclass, fields, replace
from datetime import date

from flask_babel import gettext as _

from ...orders import status as st

#: The longest text each search box keeps.
MAX_TEXT = 40


@dataclass(frozen=True)
class OrderFilters:
    """None is "any". Dates are China calendar days, both included."""
    status: str = None
    start: date = None
    end: date = None
    #: Order number or recipient phone, part of either.
    q: str = None
    #: The buyer's account phone (all 11 digits, or a part).
    buyer: str = None
    #: A product id, or part of a product title.
    product: str = None
    #: The distributor the order came through: their phone or invite code.
    distributor: str = None
    #: Why a value was ignored (shown above the list).
    problems: tuple = ()

    @classmethod
    def from_args(cls, args):
        """From request.args (or a posted form carrying the same names); bad values are dropped with a message."""
        problems = []
        values = {"status": _status(args.get("status"), problems),
                  "start": filter_day(args.get("start"), _("开始日期"), problems),
                  "end": filter_day(args.get("end"), _("结束日期"), problems),
                  "q": _text(args.get("q")), "product": _text(args.get("product")),
                  "buyer": _digits(args.get("buyer"), problems), "distributor": _text(args.get("distributor"))}
        return cls(**in_order(values, problems), problems=tuple(problems))

    def args(self, **changes):
        """The filters as query-string arguments for links and hidden fields, with changes (None drops one)."""
        return query_args(filter_values(self, changes))

    @property
    def any(self):
        """Whether anything beyond the status tab narrows the list."""
        return bool(replace(self, status=None, problems=()).args())


def _text(value):
    return (value or "").strip()[:MAX_TEXT] or None


def _status(value, problems):
    if value and value not in st.ALL:
        problems.append(_("未知的订单状态，已显示全部"))
        return None
    return value or None


def in_order(values, problems):
    """values with a start day after its end day lose the end day (with a message in problems)."""
    if values["start"] and values["end"] and values["start"] > values["end"]:
        problems.append(_("开始日期晚于结束日期，已忽略结束日期"))
        values["end"] = None
    return values


def filter_values(filters, changes):
    """{field: value} of a filters dataclass (its problems aside), with changes (None drops one)."""
    values = {f.name: getattr(filters, f.name) for f in fields(filters) if f.name != "problems"}
    values.update(changes)
    return values


def query_args(values):
    """Filter values as query-string arguments: days as YYYY-MM-DD, empty ones left out."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items() if v not in (None, "")}


def filter_day(value, name, problems):
    """A China calendar day typed as YYYY-MM-DD, or None (blank, or mistyped: then a message in problems)."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text[:10])
        if not 2000 <= day.year <= 2999:  # day_start of year 1 or 9999 would overflow
            raise ValueError(day)
        return day
    except ValueError:
        problems.append(_("%(name)s格式不正确（应为 2026-01-31），已忽略", name=name))
        return None


def _digits(value, problems):
    text = _text(value)
    if text and not text.isdigit():
        problems.append(_("买家手机号只能是数字，已忽略"))
        return None
    return text
