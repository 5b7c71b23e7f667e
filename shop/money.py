"""Money is integer fen; these are the only conversions, at the edges."""
import re
from datetime import datetime, timezone

_YUAN = re.compile(r"^\s*(\d{1,10})(?:\.(\d{1,2}))?\s*$")


def format_fen(fen):
    """12345 -> '¥123.45'; negative amounts keep their sign."""
    if fen is None:
        return ""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan}.{cents:02d}"


def parse_yuan(text):
    """'123.4' -> 12340 fen; raises ValueError for anything else (negative, float noise, letters)."""
    match = _YUAN.match(str(text or ""))
    if not match:
        raise ValueError(f"not an amount in yuan: {text!r}")
    yuan, cents = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(yuan) * 100 + int(cents)


def fen_to_yuan_text(fen):
    """12340 -> '123.40' for form fields."""
    return format_fen(fen).replace("¥", "")


def utcnow():
    """Naive UTC now: every timestamp column stores naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
