"""Reads only: the operation log, newest first, filtered; the staff and areas the filters offer."""
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from ...clock import day_start
from ...extensions import db
from ...pagination import paginate
from ...staff.models import OperationLog, Staff
from ..sorting import Sorting

#: The log's sortable columns (newest first unless asked).
SORTING = Sorting({"created": OperationLog.created_at, "staff": Staff.login,
                   "area": (OperationLog.area, OperationLog.endpoint)}, default="created", tiebreak=OperationLog.id)


def operation_logs(filters, page, sort=SORTING.standard):
    """One counted page of log entries (with their staff member) matching the filters, in the chosen order."""
    stmt = (select(OperationLog).join(Staff, Staff.id == OperationLog.staff_id)
            .options(contains_eager(OperationLog.staff)).order_by(*sort.order_by()))
    if filters.staff_id:
        stmt = stmt.where(OperationLog.staff_id == filters.staff_id)
    if filters.area:
        stmt = stmt.where(OperationLog.area == filters.area)
    if filters.start:
        stmt = stmt.where(OperationLog.created_at >= day_start(filters.start))
    if filters.end:
        stmt = stmt.where(OperationLog.created_at < day_start(filters.end + timedelta(days=1)))
    return paginate(stmt, page)


def staff_choices():
    """Every staff member, for the filter."""
    return db.session.scalars(select(Staff).order_by(Staff.login)).all()


def logged_areas():
    """The areas the log holds entries for, for the filter."""
    return db.session.scalars(select(OperationLog.area).distinct().order_by(OperationLog.area)).all()
