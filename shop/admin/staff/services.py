"""Reads only: the staff list in the chosen order (the staff use cases themselves are shop/staff/services.py)."""
from sqlalchemy import select

from ...extensions import db
from ...staff.models import OWNER, Staff
from ..sorting import Sorting

#: The list's sortable columns; by default owners first, then by role, the enabled before the disabled, by login.
SORTING = Sorting({"role": (Staff.role != OWNER, Staff.role, Staff.disabled, Staff.login), "login": Staff.login,
                   "name": Staff.display_name, "status": Staff.disabled, "last_login": Staff.last_login_at},
                  default="role", tiebreak=Staff.id, direction="asc")


def staff_rows(sort=SORTING.standard):
    """Every staff member in the chosen order."""
    return db.session.scalars(select(Staff).order_by(*sort.order_by())).all()
