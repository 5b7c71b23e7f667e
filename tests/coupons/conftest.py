import pytest


@pytest.fixture
def make_template(db):
    """Factory: make_template(**columns) -> CouponTemplate (committed): ¥10 off, no threshold, all products,
    7 days after claiming, 100 of them, 1 per member, claimable, on."""
    from shop.coupons.models import CouponTemplate

    def make(**kw):
        values = {"name": "满减券", "kind": "fixed", "amount_fen": 1000, "threshold_fen": 0, "scope": "all",
                  "scope_ids": [], "validity": "days", "valid_days": 7, "total": 100, "per_member": 1,
                  "obtain": "claim", "enabled": True}
        values.update(kw)
        template = CouponTemplate(**values)
        db.session.add(template)
        db.session.commit()
        return template

    return make


@pytest.fixture
def give(db):
    """give(user, template, source='claim', ref=None) -> Coupon (committed), through services.grant."""
    from shop.coupons.services import grant

    def do(user, template, source="staff", ref=None, now=None):
        coupon = grant(user.id, template.id, source, ref=ref, now=now)
        db.session.commit()
        return coupon

    return do
