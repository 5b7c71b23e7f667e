"""Admin 优惠券: coupon templates, issuing them to members, the members' coupons and the reward settings."""
