"""Invites: the code, the link with a copy button, the QR code, posters drawn with Chinese text (or a clear
ASCII fallback), cached and redrawn when what is on them changes; product share links and posters."""
import io
import logging
import os

import pytest
from PIL import Image, ImageFont

from shop.accounts.models import User
from shop.center import posters
from shop.distribution.models import Distributor


def png(resp):
    assert resp.status_code == 200 and resp.mimetype == "image/png", resp.status
    return Image.open(io.BytesIO(resp.data))


def poster_files(app):
    folder = os.path.join(app.instance_path, "posters")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


@pytest.fixture(autouse=True)
def clean_posters(app):
    yield
    for name in poster_files(app):
        os.remove(os.path.join(app.instance_path, "posters", name))


def test_invite_page_has_code_link_copy_button_qr_and_poster(client, db, login, shop):
    login(shop.a)
    code = db.session.get(Distributor, shop.a.id).invite_code
    html = client.get("/center/invite").get_data(as_text=True)
    assert f'id="invite-code">{code}<' in html
    assert f'id="invite-link" value="http://localhost/i/{code}"' in html
    assert 'id="copy-invite-link" data-copy="#invite-link"' in html
    assert 'id="invite-qr" src="/center/qr.png"' in html and 'id="invite-poster" src="/center/poster.png"' in html
    assert 'id="download-poster" href="/center/poster.png?download=1"' in html


def test_qr_code_is_a_png(client, login, shop):
    login(shop.a)
    image = png(client.get("/center/qr.png"))
    assert image.width == image.height >= 200


def test_poster_is_a_png_drawn_once_and_cached(app, client, login, shop):
    login(shop.a)
    image = png(client.get("/center/poster.png"))
    assert image.size == (posters.WIDTH, posters.HEIGHT)
    files = poster_files(app)
    assert len(files) == 1 and files[0].startswith(f"invite-{shop.a.id}-")
    mtime = os.path.getmtime(os.path.join(app.instance_path, "posters", files[0]))
    png(client.get("/center/poster.png"))
    assert poster_files(app) == files
    assert os.path.getmtime(os.path.join(app.instance_path, "posters", files[0])) == mtime


def test_poster_is_redrawn_when_its_inputs_change(app, client, db, login, shop):
    login(shop.a)
    png(client.get("/center/poster.png"))
    before = poster_files(app)
    db.session.get(User, shop.a.id).nickname = "新昵称"
    db.session.commit()
    png(client.get("/center/poster.png"))
    after = poster_files(app)
    assert len(after) == 1 and after != before  # the new one replaced the old one


def test_poster_download_is_an_attachment(client, login, shop):
    login(shop.a)
    resp = client.get("/center/poster.png?download=1")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]


def test_product_poster_for_a_shop_product(app, client, login, shop):
    login(shop.a)
    image = png(client.get(f"/center/poster/product/{shop.product.id}.png"))
    assert image.size == (posters.WIDTH, posters.HEIGHT)
    assert any(name.startswith(f"product-{shop.product.id}-{shop.a.id}-") for name in poster_files(app))


def test_no_poster_for_a_product_off_the_shelf_or_missing(client, db, login, shop):
    login(shop.a)
    shop.product.on_shelf = False
    db.session.commit()
    assert client.get(f"/center/poster/product/{shop.product.id}.png").status_code == 404
    assert client.get("/center/poster/product/999999.png").status_code == 404


def test_product_page_offers_a_distributor_the_share_link_and_poster(client, db, login, shop):
    code = db.session.get(Distributor, shop.a.id).invite_code
    login(shop.a)
    html = client.get(f"/p/{shop.product.id}").get_data(as_text=True)
    assert f'id="product-share-link" value="http://localhost/p/{shop.product.id}?ref={code}"' in html
    assert 'id="copy-product-share-link" data-copy="#product-share-link"' in html
    assert f'id="product-poster-link" href="/center/poster/product/{shop.product.id}.png"' in html


@pytest.mark.parametrize("who", ["anonymous", "member", "disabled distributor"])
def test_product_page_offers_nothing_to_others(client, db, make_user, login, shop, who, settings):
    from shop.distribution import services as distribution
    settings(distribution_mode="apply")
    if who == "member":
        login(make_user())
    elif who == "disabled distributor":
        distribution.set_active(shop.a.id, False)
        db.session.commit()
        login(shop.a)
    assert "product-share-link" not in client.get(f"/p/{shop.product.id}").get_data(as_text=True)


# ---- fonts -----------------------------------------------------------------------------------------------

def cjk_font_or_skip():
    choice = posters.find_cjk_font()
    if not choice.cjk:
        pytest.skip("no CJK font on this machine (apt-get install fonts-noto-cjk)")
    return choice


def test_the_font_found_draws_the_posters_chinese_text():
    choice = cjk_font_or_skip()
    font = choice.get(28)
    for text in ("邀请你一起来逛", "长按识别二维码查看商品", "邀请码", "分销商城", "向你推荐一件好物"):
        assert posters.draws_all(font, text), text


def test_pillows_own_font_cannot_draw_chinese():
    """Why the fallback writes ASCII only: Pillow's built-in font draws every Chinese character as a box."""
    assert not posters.draws_all(ImageFont.load_default(28), "邀请码")


def test_shop_cjk_font_setting_wins(app, tmp_path):
    choice = cjk_font_or_skip()
    posters.find_cjk_font.cache_clear()
    assert posters.find_cjk_font(choice.path, candidates=()) == choice


def test_without_a_cjk_font_posters_fall_back_to_ascii_with_a_warning(caplog, monkeypatch, tmp_path):
    # The test app's schema comes from Alembic, whose fileConfig() disables the loggers that existed before it.
    monkeypatch.setattr(posters.log, "disabled", False)
    posters.find_cjk_font.cache_clear()
    with caplog.at_level(logging.WARNING, logger="shop.center.posters"):
        choice = posters.find_cjk_font(str(tmp_path / "missing.ttc"), candidates=())
    assert choice == posters.FontChoice(None)
    assert "SHOP_CJK_FONT" in caplog.text and "ASCII-only" in caplog.text
    spec = posters.PosterSpec(shop_name="分销商城", nickname="阿强", code="ABC234", link="http://localhost/i/ABC234",
                              texts=("邀请你一起来逛", "长按识别二维码", "邀请码"),
                              ascii_texts=("invites you", "Scan the QR code", "Invite code"))
    image = posters.draw_poster(spec, choice)
    assert image.size == (posters.WIDTH, posters.HEIGHT)


@pytest.mark.parametrize("text,fallback,expected", [("分销商城", "Shop", "Shop"), ("Tom 汤姆", "Friend", "Friend"), ("Tom", "Friend", "Tom"),
                                                    ("  ", "Friend", "Friend")])
def test_ascii_fallback_texts(text, fallback, expected):
    assert posters.ascii_only(text, fallback) == expected


def test_poster_file_redraws_only_when_the_spec_changes(tmp_path):
    choice = posters.FontChoice(None)
    spec = posters.PosterSpec(shop_name="Shop", nickname="A", code="ABC234", link="http://x/i/ABC234",
                              texts=("a", "b", "c"), ascii_texts=("a", "b", "c"))
    first = posters.poster_file(spec, "invite-1", str(tmp_path), choice)
    assert posters.poster_file(spec, "invite-1", str(tmp_path), choice) == first
    other_owner = posters.poster_file(spec, "invite-12", str(tmp_path), choice)
    changed = posters.poster_file(posters.PosterSpec(**{**spec.__dict__, "link": "http://y/i/ABC234"}), "invite-1",
                                  str(tmp_path), choice)
    assert changed != first and not os.path.exists(first) and os.path.exists(other_owner)


def test_poster_with_a_product_picture(tmp_path):
    picture = tmp_path / "p.png"
    Image.new("RGB", (300, 200), "blue").save(picture)
    spec = posters.PosterSpec(shop_name="Shop", nickname="A", code="ABC234", link="http://x/p/1?ref=ABC234",
                              texts=("a", "b", "c"), ascii_texts=("a", "b", "c"), image_path=str(picture),
                              title="A very long product title " * 5, price="¥59.00")
    image = posters.draw_poster(spec, posters.FontChoice(None))
    assert image.getpixel((posters.WIDTH // 2, 500)) == (0, 0, 255)  # the picture is on it
