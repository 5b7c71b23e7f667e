"""Document numbers: an optional letter, the China date, ten random digits (202611231234567890, R2026...)."""
import secrets

from sqlalchemy import select

from .clock import china_now
from .extensions import db

RANDOM_DIGITS = 10


def new_number(prefix="", column=None):
    """A fresh document number; with a unique column given, one that column does not hold yet."""
    while True:
        number = f"{prefix}{china_now():%Y%m%d}{secrets.randbelow(10 ** RANDOM_DIGITS):0{RANDOM_DIGITS}d}"
        if column is None or not db.session.scalar(select(column).where(column == number).limit(1)):
            return number
