"""The admin's generic form fields, shared by every area: money typed in yuan, rates typed in percent, whole
numbers in our own words, the small parsers for typed lists and ids, and the one way a posted form is handled."""
import re
from datetime import date
from typing import Any, NamedTuple

from flask import request
from flask_babel import gettext as _
from wtforms import StringField

from ..converters import whole_number
from ..errors import ServiceError
from ..money import bp_to_percent_text, fen_to_yuan_text, parse_percent_bp, parse_yuan
from ..urls import to_id  # noqa: F401  (its home is shop/urls.py; the admin forms import it from here)

_LIST_SEPARATORS = re.compile(r"[,，、]")
_WHOLE_NUMBER = re.compile(r"^[+-]?\d{1,9}$")


def split_list(text):
    """'颜色, 尺码' (ASCII or Chinese commas) -> ['颜色', '尺码']; empty parts dropped."""
    return [part.strip() for part in _LIST_SEPARATORS.split(text or "") if part.strip()]


def strip(value):
    """A filter: text without surrounding blanks; anything else as it is."""
    return value.strip() if isinstance(value, str) else value


def to_date(value):
    """A date from a query string (YYYY-MM-DD), or None for anything else."""
    try:
        return date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None


def to_fen(value):
    """Fen from yuan typed in a query string ("12.5" -> 1250), or None for a blank or anything that is not yuan."""
    try:
        return parse_yuan(value) if str(value or "").strip() else None
    except ValueError:
        return None


def to_count(value):
    """A whole number >= 0 from a query string, or None for a blank or anything else."""
    number = whole_number(value)
    return number if number is not None and number <= 999_999_999 else None


class Submission(NamedTuple):
    ok: bool
    value: Any = None


def submit(form, action):
    """A valid posted form runs action(), its one service call: Submission(True, its result). Otherwise
    Submission(False), with the service's refusal on the form's errors for the page shown again."""
    if not form.validate_on_submit():
        return Submission(False)
    try:
        return Submission(True, action())
    except ServiceError as err:
        form.form_errors.append(err.message)
        return Submission(False)


def page_status():
    """200 for a form page shown, 400 when a POST re-renders it refused."""
    return 400 if request.method == "POST" else 200


def yuan_message():
    """Beside an amount that is not yuan with at most two decimals."""
    return _("金额格式不正确，请填写如 59.00 的数字")


def percent_message():
    """Beside a rate that is not a percent from 0 to 100 with at most two decimals."""
    return _("比例格式不正确，请填写 0 到 100 之间、最多两位小数的数字，如 7.5")


def whole_number_message():
    """Beside a number that is not whole."""
    return _("请填写整数")


def parse_whole_number(text):
    """'-12' -> -12; raises ValueError for anything but up to nine digits with an optional sign."""
    if not _WHOLE_NUMBER.match(text):
        raise ValueError(f"not a whole number: {text!r}")
    return int(text)


class TypedField(StringField):
    """A text field whose .data is parse(text), or None when left blank, shown again as format(data); text that
    parse refuses (ValueError) gets message() beside the field."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            try:
                self.data = self.parse(text)
            except ValueError:
                raise ValueError(self.message())

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.format(self.data)


class YuanField(TypedField):
    """An amount typed in yuan ("59.00"); .data is integer fen, or None when left blank."""
    parse, format, message = staticmethod(parse_yuan), staticmethod(fen_to_yuan_text), staticmethod(yuan_message)


class PercentField(TypedField):
    """A rate typed in percent ("7.5"); .data is integer basis points (750), or None when left blank."""
    parse, format, message = (staticmethod(parse_percent_bp), staticmethod(bp_to_percent_text),
                              staticmethod(percent_message))


class WholeNumberField(TypedField):
    """A whole number; .data is an int, or None when left blank."""
    parse, format, message = staticmethod(parse_whole_number), staticmethod(str), staticmethod(whole_number_message)
