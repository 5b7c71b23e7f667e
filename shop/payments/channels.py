"""Which WeChat Pay product a shopper's browser can pay with. Pure: a User-Agent string in, a trade type out.

Inside WeChat (its in-app browser says `MicroMessenger`) only JSAPI works: WeChat refuses H5 payment there.
Other mobile browsers use H5, which hands over to the WeChat app. A desktop has no WeChat to hand over to, so it
shows a Native QR code for the shopper's phone to scan.
"""
import re

from .gateways.base import H5, JSAPI, NATIVE

__all__ = ["H5", "JSAPI", "NATIVE", "choose_channel"]

WECHAT = re.compile(r"MicroMessenger", re.IGNORECASE)
MOBILE = re.compile(r"Mobi|Android|iPhone|iPad|iPod|HarmonyOS|OpenHarmony|Windows Phone", re.IGNORECASE)


def choose_channel(user_agent):
    """JSAPI inside WeChat, H5 in other mobile browsers, NATIVE on a desktop (or an unknown browser)."""
    user_agent = user_agent or ""
    if WECHAT.search(user_agent):
        return JSAPI
    return H5 if MOBILE.search(user_agent) else NATIVE
