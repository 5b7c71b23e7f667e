"""助力免单 (share to win a free order): a member starts a campaign on a product the merchant enabled; each new
member who registers through the starter's link within the time limit helps once; at N helps the starter gets a
coupon worth the whole product (coupons.services.grant), once per campaign."""


def seed_demo(echo=print):
    """Demo: the first featured product (or the first product) enabled for 助力免单, 3 helps within 24 hours.
    Owns its transaction; running it again changes nothing."""
    from sqlalchemy import select

    from ..catalog.models import Product
    from ..database import transaction
    from ..extensions import db
    from .models import AssistProduct

    with transaction():
        product = db.session.scalar(select(Product).order_by(Product.is_featured.desc(), Product.id))
        if product is None or db.session.scalar(select(AssistProduct.id)):
            return
        db.session.add(AssistProduct(product_id=product.id, helps_needed=3, hours=24, enabled=True))
        echo(f"assist {product.title}: enabled (3 helps in 24 hours)")
