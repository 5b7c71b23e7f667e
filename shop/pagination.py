"""One page of rows, for every list with a pager (templates/_macros/ui.html `pager`)."""
import math

from flask import request

from .extensions import db

PER_PAGE = 20
MAX_PAGE = 100_000


class Window:
    """One page of rows. With a known total it has pages; otherwise it only knows whether a next page exists
    (one row more than the page is fetched), so nothing is counted. Flask-SQLAlchemy's Pagination has the
    same attributes, so the one pager macro shows either."""

    def __init__(self, items, page, per_page=PER_PAGE, total=None, has_next=None):
        self.items, self.page, self.per_page, self.total = items, page, per_page, total
        self.pages = max(1, math.ceil(total / per_page)) if total is not None else None
        self.has_next = page < self.pages if total is not None else bool(has_next)
        self.has_prev = page > 1
        self.prev_num, self.next_num = page - 1, page + 1

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def page_number(value):
    """A page number from user input: 1 for anything that is not a positive whole number; at most MAX_PAGE."""
    try:
        return max(1, min(int(value or 1), MAX_PAGE))
    except (TypeError, ValueError):
        return 1


def requested_page():
    """The ?page= of the current request, checked by page_number()."""
    return page_number(request.args.get("page"))


def window(stmt, page, per_page=PER_PAGE, scalars=False):
    """Run a statement for one page, fetching one extra row to know whether there is a next page (no count)."""
    result = db.session.execute(stmt.limit(per_page + 1).offset((page - 1) * per_page))
    rows = result.scalars().all() if scalars else result.all()
    return Window(rows[:per_page], page, per_page, has_next=len(rows) > per_page)


def paginate(stmt, page, per_page=PER_PAGE):
    """A counted page of ORM objects (Flask-SQLAlchemy's paginate; a page past the end is empty, not 404)."""
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)
