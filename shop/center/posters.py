"""Invite QR codes and posters (推广海报), drawn server-side with Pillow and cached on disk.

Chinese text needs a font with CJK glyphs. SHOP_CJK_FONT names one; otherwise a short list of the
places Linux distributions (Debian's fonts-noto-cjk first), macOS and Windows put one is searched.
Without any, posters fall back to Pillow's built-in font with ASCII-only text and a logged warning,
rather than printing boxes where the characters should be.

A poster is cached under <instance>/posters/, named by a hash of everything drawn on it (texts, link,
picture, font, POSTER_VERSION), so it is redrawn exactly when one of those changes; the older file of
the same owner is removed then.
"""
import functools
import glob
import hashlib
import io
import json
import logging
import os
from dataclasses import asdict, dataclass

import qrcode
from PIL import Image, ImageDraw, ImageFont, ImageOps

log = logging.getLogger(__name__)

#: Bump when the drawing changes: every cached poster is drawn again.
POSTER_VERSION = 1
WIDTH, HEIGHT = 750, 1200
RED, ORANGE, INK, MUTED, WHITE = (228, 57, 60), (255, 122, 69), (34, 34, 34), (136, 136, 136), (255, 255, 255)

#: Where fonts with Chinese glyphs usually are, best first.
FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",     # Debian / Ubuntu: fonts-noto-cjk
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",          # Arch: noto-fonts-cjk
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",   # Fedora: google-noto-sans-cjk-fonts
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",             # Debian: fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",               # Debian: fonts-wqy-zenhei
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # Debian: fonts-droid-fallback
    "/System/Library/Fonts/PingFang.ttc",                         # macOS
    "/System/Library/Fonts/STHeiti Light.ttc",
    "C:/Windows/Fonts/msyh.ttc",                                  # Windows: Microsoft YaHei
)
#: Characters a font must draw (not as its "missing glyph" box) to be used for posters.
CJK_SAMPLE = "推广海报邀请码"


@dataclass(frozen=True)
class FontChoice:
    """A font file and the face inside a collection (.ttc) to use; path None = Pillow's built-in font."""
    path: str | None
    index: int = 0

    @property
    def cjk(self):
        return self.path is not None

    def get(self, size):
        if self.path is None:
            return ImageFont.load_default(size)
        return ImageFont.truetype(self.path, size, index=self.index)


def draws_all(font, text):
    """True when every character of text has a real glyph (differs from the font's missing-glyph box)."""
    missing = bytes(font.getmask("\uffff"))
    return all(bytes(font.getmask(ch)) != missing for ch in text)


def _face_in(path):
    """The face of a font file that draws Chinese, preferring Simplified Chinese in a collection; or None."""
    best = None
    for index in range(16):
        try:
            font = ImageFont.truetype(path, 24, index=index)
        except OSError:
            break
        if not draws_all(font, CJK_SAMPLE):
            continue
        family = font.getname()[0] or ""
        if family.endswith(" SC") and "Mono" not in family:
            return index
        best = index if best is None else best
        if not path.lower().endswith((".ttc", ".otc")):
            break
    return best


@functools.lru_cache(maxsize=8)
def find_cjk_font(configured=None, candidates=FONT_PATHS):
    """The configured font, else the first known one that exists and draws Chinese; else Pillow's own
    font (ASCII only) with a warning logged once."""
    for path in ([configured] if configured else []) + list(candidates):
        if not os.path.isfile(path):
            if path == configured:
                log.warning("SHOP_CJK_FONT=%s does not exist; looking in the usual places", path)
            continue
        index = _face_in(path)
        if index is not None:
            return FontChoice(path, index)
        log.warning("font %s has no Chinese glyphs; skipped", path)
    log.warning("No font with Chinese glyphs found (install fonts-noto-cjk or set SHOP_CJK_FONT): posters are "
                "drawn with Pillow's built-in font and ASCII-only text")
    return FontChoice(None)


# ---- QR codes --------------------------------------------------------------------------------------------

def qr_image(data, size=None):
    """A QR code of data as an RGB image (optionally resized to size x size, without blurring)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=2)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    if size:
        image = image.resize((size, size), Image.NEAREST)
    return image


def png_bytes(image):
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def qr_png(data):
    """PNG bytes of a QR code of data."""
    return png_bytes(qr_image(data))


# ---- posters ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PosterSpec:
    """Everything drawn on a poster; its hash names the cached file.

    texts: the fixed labels in the member's language (headline, scan hint, code label); ascii_texts:
    the same in ASCII, used when no CJK font exists."""
    shop_name: str
    nickname: str
    code: str
    link: str
    texts: tuple
    ascii_texts: tuple
    #: Absolute path of the banner or product picture; None draws a plain banner.
    image_path: str | None = None
    title: str = ""
    price: str = ""


def ascii_only(text, fallback=""):
    """text when it is printable ASCII through and through, else fallback (half a name reads worse than none)."""
    text = (text or "").strip()
    return text if text and all(32 <= ord(ch) < 127 for ch in text) else fallback


def _fit(draw, text, font, width):
    """text cut with an ellipsis to fit width pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def _wrap(draw, text, font, width, lines=2):
    """text broken into at most `lines` lines of width pixels, character by character (Chinese has no
    spaces); the last line is cut with an ellipsis."""
    out, current = [], ""
    for i, ch in enumerate(text):
        if draw.textlength(current + ch, font=font) <= width:
            current += ch
            continue
        out.append(current)
        if len(out) == lines - 1:
            return out + [_fit(draw, text[i:], font, width)]
        current = ch
    return [line for line in out + [current] if line]


def _picture(path, size):
    """The picture at path cropped to size, or None when it cannot be read."""
    if not path:
        return None
    try:
        with Image.open(path) as img:
            return ImageOps.fit(img.convert("RGB"), size, Image.LANCZOS)
    except (OSError, ValueError, Image.DecompressionBombError):
        log.warning("poster picture %s could not be read; drawing a plain banner", path)
        return None


def _gradient(size, left=RED, right=ORANGE):
    w, h = size
    line = Image.new("RGB", (w, 1))
    for x in range(w):
        t = x / max(w - 1, 1)
        line.putpixel((x, 0), tuple(round(a + (b - a) * t) for a, b in zip(left, right)))
    return line.resize((w, h))


def draw_poster(spec, font_choice):
    """The poster as an RGB image: shop name, the member's initial and nickname, a picture, (the product's
    title and price), the QR code of the link and the invite code."""
    cjk = font_choice.cjk
    texts = spec.texts if cjk else spec.ascii_texts
    shop_name = spec.shop_name if cjk else ascii_only(spec.shop_name, "Shop")
    nickname = spec.nickname if cjk else ascii_only(spec.nickname, "Friend")
    title = spec.title if cjk else ascii_only(spec.title, "")
    price = spec.price if cjk else spec.price.replace("¥", "CNY ")
    headline, scan_hint, code_label = texts
    fonts = {size: font_choice.get(size) for size in (24, 28, 32, 40, 44, 52)}

    poster = Image.new("RGB", (WIDTH, HEIGHT), (245, 245, 247))
    poster.paste(_gradient((WIDTH, 320)), (0, 0))
    draw = ImageDraw.Draw(poster)
    draw.text((WIDTH // 2, 90), _fit(draw, shop_name, fonts[52], WIDTH - 80), font=fonts[52], fill=WHITE,
              anchor="mm")
    draw.rounded_rectangle((40, 180, WIDTH - 40, HEIGHT - 40), radius=24, fill=WHITE)

    # The member: a round avatar with their initial, the nickname and the headline.
    draw.ellipse((70, 215, 166, 311), fill=RED)
    initial = (nickname[:1] or "*").upper()
    draw.text((118, 263), initial, font=fonts[44], fill=WHITE, anchor="mm")
    draw.text((186, 232), _fit(draw, nickname, fonts[32], WIDTH - 260), font=fonts[32], fill=INK)
    draw.text((186, 278), _fit(draw, headline, fonts[24], WIDTH - 260), font=fonts[24], fill=MUTED)

    box = (70, 340, WIDTH - 70)
    picture_height = 440 if spec.price else 460
    picture = _picture(spec.image_path, (box[2] - box[0], picture_height))
    if picture is None:
        picture = _gradient((box[2] - box[0], picture_height), (255, 236, 232), (255, 214, 196))
        pic_draw = ImageDraw.Draw(picture)
        pic_draw.text(((box[2] - box[0]) // 2, picture_height // 2),
                      _fit(pic_draw, title or shop_name, fonts[44], box[2] - box[0] - 60),
                      font=fonts[44], fill=RED, anchor="mm")
    poster.paste(picture, (box[0], box[1]))
    y = box[1] + picture_height + 24

    if spec.price:
        for line in _wrap(draw, title, fonts[32], box[2] - box[0]):
            draw.text((box[0], y), line, font=fonts[32], fill=INK)
            y += 44
        draw.text((box[0], y + 6), price, font=fonts[44], fill=RED)
        y += 64

    qr_size = min(260, HEIGHT - 70 - y)
    poster.paste(qr_image(spec.link, qr_size), (box[2] - qr_size, HEIGHT - 70 - qr_size))
    text_width = box[2] - qr_size - box[0] - 20
    draw.text((box[0], HEIGHT - 70 - qr_size // 2 - 40), _fit(draw, scan_hint, fonts[28], text_width),
              font=fonts[28], fill=INK)
    draw.text((box[0], HEIGHT - 70 - qr_size // 2 + 10), _fit(draw, f"{code_label} {spec.code}", fonts[28],
                                                              text_width), font=fonts[28], fill=RED)
    return poster


def poster_file(spec, owner_key, folder, font_choice):
    """Path of the cached poster PNG for spec, drawn now if its inputs changed (the owner's older poster
    is removed). owner_key names whose poster it is, e.g. "invite-12" or "product-3-12"."""
    payload = json.dumps([POSTER_VERSION, asdict(spec), font_choice.path, font_choice.index], ensure_ascii=False,
                         sort_keys=True)
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
    path = os.path.join(folder, f"{owner_key}-{digest}.png")
    if os.path.exists(path):
        return path
    os.makedirs(folder, exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(png_bytes(draw_poster(spec, font_choice)))
    os.replace(tmp, path)
    for old in glob.glob(os.path.join(glob.escape(folder), glob.escape(owner_key) + "-*.png")):
        if old != path:
            try:
                os.remove(old)
            except OSError:
                pass
    return path
