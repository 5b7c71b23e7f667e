"""Who is acting in the admin. Every admin view passes `current_staff` to the services as the actor, and
templates show it; nothing in shop/admin reads flask_login's current_user (the shopper) at all.

`current_staff` is the Staff logged in at /admin/login (shop/staff/session.py), or an AnonymousStaff."""
from werkzeug.local import LocalProxy

from ..staff import session as staff_session

current_staff = LocalProxy(staff_session.current)
