"""Product image uploads: type- and size-checked with Pillow, stored by content hash."""
import hashlib
import io
import os

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from ..errors import ServiceError

#: Pillow format -> file extension; nothing else is accepted.
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MAX_PIXELS = 40_000_000


def upload_root():
    root = os.path.join(current_app.instance_path, "uploads")
    os.makedirs(root, exist_ok=True)
    return root


def save_image_bytes(data):
    """Check that data is a real image of an allowed type and size; store it; return its path."""
    if not data:
        raise ServiceError(_("请选择图片文件"))
    if len(data) > current_app.config["MAX_IMAGE_BYTES"]:
        raise ServiceError(_("图片不能超过 %(mb)s MB", mb=current_app.config["MAX_IMAGE_BYTES"] // (1024 * 1024)))
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            if img.width * img.height > MAX_PIXELS:
                raise ServiceError(_("图片尺寸过大"))
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ServiceError(_("只支持 JPG、PNG、WEBP、GIF 图片"))
    if fmt not in ALLOWED_FORMATS:
        raise ServiceError(_("只支持 JPG、PNG、WEBP、GIF 图片"))
    digest = hashlib.sha256(data).hexdigest()
    rel = f"products/{digest[:2]}/{digest[2:34]}.{ALLOWED_FORMATS[fmt]}"
    full = os.path.join(upload_root(), rel)
    if not os.path.exists(full):
        os.makedirs(os.path.dirname(full), exist_ok=True)
        tmp = f"{full}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, full)
    return rel


def save_upload(file_storage):
    """Store an uploaded werkzeug FileStorage as a product image."""
    if file_storage is None or not file_storage.filename:
        raise ServiceError(_("请选择图片文件"))
    data = file_storage.stream.read(current_app.config["MAX_IMAGE_BYTES"] + 1)
    return save_image_bytes(data)
