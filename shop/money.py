"""Money is integer fen and rates are integer basis points; these are the only conversions, at the edges."""
import re

_YUAN = re.compile(r"^\s*(\d{1,10})(?:\.(\d{1,2}))?\s*$")
# ASCII digits only: 0 to 100 with at most two decimals, an optional % sign after it.
_PERCENT = re.compile(r"^([0-9]{1,3})(?:\.([0-9]{1,2}))?\s*%?$")
BP = 10000  #: basis points in 100%
BP_PER_PERCENT = 100


def format_fen(fen, grouped=False):
    """12345 -> '¥123.45'; negative amounts keep their sign; grouped: 123456789 -> '¥1,234,567.89'."""
    if fen is None:
        return ""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}" if grouped else f"{sign}¥{yuan}.{cents:02d}"


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


def format_bp(bp):
    """1050 -> '10.50%'; negative rates keep their sign; None -> ''."""
    if bp is None:
        return ""
    sign = "-" if bp < 0 else ""
    whole, frac = divmod(abs(int(bp)), BP_PER_PERCENT)
    return f"{sign}{whole}.{frac:02d}%"


def format_zhe(off_bp):
    """A percent-off discount the Chinese way, as the share still paid in tenths (折): 1500 bp off -> '8.5',
    2000 -> '8', 1250 -> '8.75'. Integers only."""
    whole, rest = divmod(BP - int(off_bp), 1000)
    return f"{whole}.{rest:03d}".rstrip("0").rstrip(".")


def parse_percent_bp(text):
    """'10' -> 1000, '7.5' -> 750, '7.55' -> 755 basis points; ValueError unless 0..100 with at most two decimals."""
    match = _PERCENT.match(str(text if text is not None else "").strip())
    if not match:
        raise ValueError(f"not a percentage: {text!r}")
    bp = int(match.group(1)) * BP_PER_PERCENT + int((match.group(2) or "").ljust(2, "0"))
    if bp > BP:
        raise ValueError(f"over 100%: {text!r}")
    return bp


def bp_to_percent_text(bp):
    """750 -> '7.5', 1000 -> '10', 755 -> '7.55' for form fields; None -> ''."""
    if bp is None:
        return ""
    whole, frac = divmod(int(bp), BP_PER_PERCENT)
    return str(whole) if not frac else f"{whole}.{frac:02d}".rstrip("0")
