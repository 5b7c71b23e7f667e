"""Coupons (优惠券): templates the merchant sets up, the members' coupons, claiming, rewards and the checkout pricer."""
