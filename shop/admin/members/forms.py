"""The member list's filters, read from the query string (a GET form kept in the URL). A value a staff member
mistyped is ignored with a message, never an error page."""
from dataclasses import dataclass, replace
from datetime import date

from flask_babel import gettext as _

from ...money import fen_to_yuan_text, parse_yuan
from ..orders.filters import MAX_TEXT, filter_day, filter_values, in_order, query_args

#: The "distributor or not" choices.
YES, NO = "yes", "no"


@dataclass(frozen=True)
class MemberFilters:
    """None is "any". Dates are China calendar days, both included; spent_over is fen of paid orders."""
    q: str = None
    start: date = None
    end: date = None
    spent_over: int = None
    distributor: str = None
    problems: tuple = ()

    @classmethod
    def from_args(cls, args):
        """From request.args; bad values are dropped with a message."""
        problems = []
        values = {"q": (args.get("q") or "").strip()[:MAX_TEXT] or None,
                  "start": filter_day(args.get("start"), _("注册开始日期"), problems),
                  "end": filter_day(args.get("end"), _("注册结束日期"), problems),
                  "spent_over": _yuan(args.get("spent_over"), problems),
                  "distributor": args.get("distributor") if args.get("distributor") in (YES, NO) else None}
        return cls(**in_order(values, problems), problems=tuple(problems))

    def args(self, **changes):
        """The filters as query-string arguments (amounts back in yuan), with changes (None drops one)."""
        values = filter_values(self, changes)
        if values["spent_over"] is not None:
            values["spent_over"] = fen_to_yuan_text(values["spent_over"])
        return query_args(values)

    @property
    def any(self):
        return bool(replace(self, problems=()).args())


def _yuan(value, problems):
    text = (value or "").strip()
    if not text:
        return None
    try:
        return parse_yuan(text)
    except ValueError:
        problems.append(_("累计付款金额格式不正确（应为如 100 或 59.90 的数字），已忽略"))
        return None
