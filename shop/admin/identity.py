"""Who is acting in the admin. Every admin view passes `current_staff` to the services as the actor, and
templates show it; nothing in shop/admin reads flask_login's current_user directly.

Today the staff member is the logged-in member with is_admin; staff accounts of their own (with roles) replace
that behind this one name."""
from flask_login import current_user
from werkzeug.local import LocalProxy

current_staff = LocalProxy(lambda: current_user._get_current_object())
