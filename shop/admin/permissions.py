"""Who may open what in the admin: the one permission table, checked before every admin request.

A row is an admin area (the nested blueprint's name: admin.<area>.<view>), or one endpoint of an area
("<area>.<view>", which wins over its area's row), with the roles that may READ (GET, HEAD) and the roles that
may WRITE (POST and anything else). The owner may do everything and is never listed. A key that is not in the
table is the owner's only (default deny), so a new area is closed until its row is added here: one line.
"""
from ..staff.models import FINANCE, OPERATOR, OWNER, ROLES, SERVICE, VIEWER

ALL = frozenset(ROLES)
NOBODY = frozenset()
STAFF = ALL - {VIEWER}


def roles(*names):
    return frozenset(names)


#: key -> (read, write). The owner is implied everywhere.
PERMISSIONS = {
    "dashboard": (ALL, NOBODY),
    "products": (ALL, roles(OPERATOR)),
    "categories": (ALL, roles(OPERATOR)),
    "orders": (ALL, roles(OPERATOR, SERVICE)),  # shipping
    "orders.refund": (ALL, roles(FINANCE)),  # a merchant-started refund moves money
    "orders.export": (roles(FINANCE), NOBODY),  # exports are finance's
    "refunds": (ALL, roles(FINANCE)),  # approving sends the money back
    "refunds.reject": (ALL, roles(SERVICE, FINANCE)),  # after-sales: refusing moves no money
    "distribution": (ALL, NOBODY),  # rules, grades, binding: the owner's policy
    "distribution.approve": (ALL, roles(OPERATOR, SERVICE)),  # distributor applications
    "distribution.reject": (ALL, roles(OPERATOR, SERVICE)),
    "distribution.export": (roles(FINANCE), NOBODY),  # exports are finance's
    "withdrawals": (ALL, roles(FINANCE)),
    "withdrawals.export": (roles(FINANCE), NOBODY),  # exports are finance's
    "alerts": (ALL, roles(FINANCE)),
    "settings": (ALL, NOBODY),
    "members": (STAFF, NOBODY),  # phones and addresses in bulk: not for read-only guests
    "commissions": (ALL, roles(FINANCE)),  # holds, voids, manual adjustments
    "commissions.ledger": (STAFF, NOBODY),  # a distributor's ledger, entry by entry
    "growth": (STAFF, roles(FINANCE)),  # the invite funnel; clearing or voiding a held commission moves money
    "points": (STAFF, NOBODY),  # members' points; the points rules are the owner's
    "points.adjust": (STAFF, roles(FINANCE)),  # staff adjustments of a member's points
    "coupons": (ALL, roles(OPERATOR)),  # templates, issuing to members, the coupon rewards
    "assist": (ALL, roles(OPERATOR)),  # 助力免单: products and their rules
    "groupbuy": (ALL, roles(OPERATOR)),  # 拼团 activities; closing an expired group sends its refunds
    "flash": (ALL, roles(OPERATOR)),  # 秒杀 slots and items: marketing, like products
    "stores": (ALL, roles(OPERATOR)),  # 门店: stores, their photos and clerks
    "pool": (ALL, roles(FINANCE)),  # 分红池: its settings and paying a period move money
    "agents": (ALL, roles(FINANCE)),  # 区域代理: appointing and rates decide money paid out
    "agents.download": (roles(FINANCE), NOBODY),  # exports are finance's
    "staff": (NOBODY, NOBODY),
    "oplog": (NOBODY, NOBODY),
}

READ_METHODS = ("GET", "HEAD")


def key_of(endpoint):
    """admin.refunds.reject -> ('refunds.reject', 'refunds'); admin.dashboard -> ('dashboard', 'dashboard')."""
    parts = (endpoint or "").split(".")[1:]
    return ".".join(parts[:2]), parts[0] if parts else ""


def may(role, endpoint, method="GET"):
    """Whether a staff member with `role` may call admin `endpoint` with this HTTP method."""
    if role == OWNER:
        return True
    endpoint_key, area = key_of(endpoint)
    row = PERMISSIONS.get(endpoint_key) or PERMISSIONS.get(area) or (NOBODY, NOBODY)
    return role in row[0 if method in READ_METHODS else 1]


def area_of(endpoint):
    """The admin area an endpoint belongs to (admin.refunds.approve -> refunds)."""
    return key_of(endpoint)[1]
