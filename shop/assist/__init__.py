"""助力免单 (share to win a free order): a member starts a campaign on a product the merchant enabled; each new
member who registers through the starter's link within the time limit helps once; at N helps the starter gets a
coupon worth the whole product (coupons.services.grant), once per campaign."""
