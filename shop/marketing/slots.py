"""Page slots: places on shop pages where a marketing tool shows a panel (the coupons to claim on a product page,
the flash-sale strip on the home page, an entry in 我的), without the page knowing the tool.

A tool registers a provider for a slot: `@provides("product")` on a function taking the page's context
(keyword arguments) and returning a Panel or None. The template asks `{% for panel in panels('product',
product=product) %}{% include panel.template %}{% endfor %}`; inside the include, `panel.data` is the provider's
data. Providers only read.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import String, cast, func

#: The slots pages offer: product (product page, below the price), home (home page, above the categories),
#: me (我的: an entry in the menu), checkout (确认订单: a row in the sums panel).
SLOTS = ("product", "home", "me", "checkout")
_PROVIDERS = defaultdict(list)


@dataclass
class Panel:
    template: str
    data: dict = field(default_factory=dict)
    order: int = 50


def provides(slot, order=50, shared=False, fingerprint=None):
    """Register the decorated function as a provider of panels for `slot`. shared=True: its panel is the same for
    every shopper (nothing of the member in it), so pages may cache it (shop/caching/fragments.py).

    A member's own panel may name its `fingerprint`: a function returning SQL columns correlated to User (scalar
    subqueries, which may use the bound parameter `now`) whose values change whenever what the panel shows of the
    member could, beyond the catalog and the time boundaries that cached pages follow anyway. With every member's
    own panel fingerprinted, a page may cache each member's parts (caching/pages.py `member_parts`)."""
    if slot not in SLOTS:
        raise ValueError(f"unknown page slot {slot!r}")

    def register(fn):
        fn.shared_panel, fn.fingerprint = shared, fingerprint
        _PROVIDERS[slot].append((order, fn))
        _PROVIDERS[slot].sort(key=lambda pair: pair[0])
        return fn
    return register


def panels(slot, shared=None, **context):
    """The panels for `slot` on this page, in their registered order (shared=True/False: only the shared ones, or
    only the member's own). Reads only."""
    shown = []
    for order, provider in _PROVIDERS.get(slot, ()):
        if shared is not None and provider.shared_panel != shared:
            continue
        panel = provider(**context)
        if panel is not None:
            panel.order = order
            shown.append(panel)
    return shown


def has_personal_panels(slot):
    """Whether any provider of `slot` may show something of the member (not declared shared)."""
    return any(not provider.shared_panel for _, provider in _PROVIDERS.get(slot, ()))


def member_fingerprint(slot):
    """The columns telling when any member's own panel of `slot` may change (see provides), or None when one of
    those panels names no fingerprint."""
    columns = []
    for _order, provider in _PROVIDERS.get(slot, ()):
        if provider.shared_panel:
            continue
        if provider.fingerprint is None:
            return None
        columns += provider.fingerprint()
    return columns


def joined(*values):
    """One text of SQL values ('' for NULL, '|' between): a fingerprint's figures as one column, so a statement
    reading several of them returns (and the driver describes) one column instead of many."""
    texts = [func.coalesce(cast(value, String), "") for value in values]
    out = texts[0]
    for text in texts[1:]:
        out = out + "|" + text
    return out
