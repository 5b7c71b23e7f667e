"""The next moment a storefront page changes by itself, without any write: a flash slot or group-buy activity
starting or ending, an open group expiring, a coupon's dates ending. Cached pages carry it in their key, so the
first request after the moment renders anew. Found with one statement (a MIN per column), then kept in-process until the
moment passes or the catalog generation changes."""
import threading

from sqlalchemy import func, select

from .. import clock
from ..extensions import db

_lock = threading.Lock()
_known = {}  # app name -> (generation, moment or None, checked at)


def time_columns():
    from ..coupons.models import CouponTemplate
    from ..flash.models import FlashSlot
    from ..groupbuy.models import Group, GroupActivity

    return (FlashSlot.starts_at, FlashSlot.ends_at, GroupActivity.starts_at, GroupActivity.ends_at, Group.expires_at,
            CouponTemplate.starts_at, CouponTemplate.ends_at)


def find_next(now):
    """The earliest moment after now in any of the time columns, or None; one statement. Reads only."""
    firsts = [select(func.min(column)).where(column > now).scalar_subquery() for column in time_columns()]
    moments = [m for m in db.session.execute(select(*firsts)).one() if m is not None]
    return min(moments) if moments else None


def next_boundary(app, generation, now=None):
    """The next moment (a naive UTC datetime, or None) for this generation; queries only when it is unknown."""
    now = now or clock.utcnow()
    found, moment = known(app, generation, now)
    if found:
        return moment
    moment = find_next(now)
    with _lock:
        _known[app.import_name + str(id(app))] = (generation, moment, now)
    return moment


def known(app, generation, now=None):
    """(True, the next moment or None) when it is known for this generation and still ahead; else (False, None).
    Never queries (the page cache's front door asks this outside any app context)."""
    now = now or clock.utcnow()
    with _lock:
        entry = _known.get(app.import_name + str(id(app)))
    if entry is not None and entry[0] == generation and (entry[1] is None or now < entry[1]) and entry[2] <= now:
        return True, entry[1]
    return False, None


def forget(app):
    with _lock:
        _known.pop(app.import_name + str(id(app)), None)
