"""Coupons (优惠券): templates the merchant sets up, the members' coupons, claiming, rewards and the checkout pricer."""


def seed_demo(echo=print):
    """Demo coupon templates (coupons/demo.py)."""
    from .demo import seed_demo as seed
    return seed(echo)
