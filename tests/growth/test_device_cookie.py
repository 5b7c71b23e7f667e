"""The device cookie: given on a browser's first page, kept for two years, written as Werkzeug writes a cookie."""
import time

from werkzeug.http import dump_cookie

from shop.growth.web import DEVICE_COOKIE, DEVICE_MAX_AGE, cookie_attributes


def test_a_first_visit_gets_a_device_cookie_and_a_second_one_none(client):
    first = client.get("/")
    [cookie] = [v for v in first.headers.getlist("Set-Cookie") if v.startswith(DEVICE_COOKIE + "=")]
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    assert len(value) == 32 and client.get_cookie(DEVICE_COOKIE).value == value
    assert not [v for v in client.get("/").headers.getlist("Set-Cookie") if v.startswith(DEVICE_COOKIE + "=")]


def test_the_header_is_the_one_werkzeug_writes():
    second = int(time.time())
    werkzeug = dump_cookie(DEVICE_COOKIE, "a" * 32, max_age=DEVICE_MAX_AGE, expires=second + DEVICE_MAX_AGE,
                           httponly=True, samesite="Lax")
    assert f"{DEVICE_COOKIE}={'a' * 32}{cookie_attributes(second)}" == werkzeug
