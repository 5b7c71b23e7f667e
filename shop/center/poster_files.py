"""The center's poster files: what goes on the invite and product posters, the font and the folder they are
kept in. Drawing and caching are center/posters.py's; this module only feeds it from the app and the shop.
Database reads only: no function here owns or joins a transaction."""
import os

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..catalog.images import upload_root
from ..catalog.models import Product
from ..extensions import db
from ..money import format_fen
from . import posters


def poster_font():
    """The font posters are drawn with (SHOP_CJK_FONT, a known CJK font, or Pillow's own)."""
    return posters.find_cjk_font(current_app.config.get("CJK_FONT") or None)


def _poster_folder():
    return os.path.join(current_app.instance_path, "posters")


def _upload(path):
    return os.path.join(upload_root(), path) if path else None


def banner_picture():
    """The picture on invite posters: the cover of the shop's first featured (else newest) product."""
    return db.session.scalar(select(Product.cover_path).where(Product.on_shelf.is_(True),
                                                              Product.cover_path.is_not(None))
                             .order_by(Product.is_featured.desc(), Product.sort.desc(), Product.id.desc()).limit(1))


def invite_poster(distributor, link):
    """Path of the distributor's invite poster PNG (drawn again only when something on it changed)."""
    user = distributor.user
    spec = posters.PosterSpec(
        shop_name=current_app.config["SHOP_NAME"], nickname=user.display_name, code=distributor.invite_code,
        link=link, image_path=_upload(banner_picture()),
        texts=(_("邀请你一起来逛"), _("长按识别二维码"), _("邀请码")),
        ascii_texts=("invites you to shop with them", "Scan the QR code", "Invite code"))
    return posters.poster_file(spec, f"invite-{user.id}", _poster_folder(), poster_font())


def product_poster(distributor, product, link):
    """Path of the distributor's poster PNG for one product: its picture, title, price and share QR code."""
    user = distributor.user
    spec = posters.PosterSpec(
        shop_name=current_app.config["SHOP_NAME"], nickname=user.display_name, code=distributor.invite_code,
        link=link, image_path=_upload(product.cover_path), title=product.title, price=format_fen(product.min_price_fen),
        texts=(_("向你推荐一件好物"), _("长按识别二维码查看商品"), _("邀请码")),
        ascii_texts=("recommends this to you", "Scan the QR code to see it", "Invite code"))
    return posters.poster_file(spec, f"product-{product.id}-{user.id}", _poster_folder(), poster_font())
