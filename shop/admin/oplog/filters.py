"""The operation log's filters: staff member, area and a date range (China-time days)."""
from dataclasses import dataclass
from datetime import date

from ..fields import to_id


@dataclass(frozen=True)
class LogFilters:
    staff_id: int = None
    area: str = None
    start: date = None
    end: date = None

    @classmethod
    def from_args(cls, args):
        """From the query string; anything malformed is ignored."""
        area = (args.get("area") or "").strip()
        return cls(staff_id=to_id(args.get("staff")), area=area if area.isidentifier() and len(area) <= 30 else None,
                   start=_date(args.get("start")), end=_date(args.get("end")))

    def args(self):
        """The filters as query-string arguments (pager links)."""
        values = {"staff": self.staff_id, "area": self.area, "start": self.start, "end": self.end}
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items() if v is not None}


def _date(text):
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None
