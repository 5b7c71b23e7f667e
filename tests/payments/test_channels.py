"""Choosing the payment: JSAPI inside WeChat, H5 in other mobile browsers, Native (a QR code) on a desktop."""
import pytest

from shop.payments.channels import H5, JSAPI, NATIVE, choose_channel
from tests.payments import user_agents as ua


@pytest.mark.parametrize("user_agent, channel", [
    (ua.WECHAT_ANDROID, JSAPI),
    (ua.WECHAT_IPHONE, JSAPI),
    (ua.WECHAT_WINDOWS, JSAPI),  # WeChat for Windows runs JSAPI payments too (it shows its own QR)
    (ua.WECHAT_MAC, JSAPI),
    (ua.ANDROID_CHROME, H5),
    (ua.IPHONE_SAFARI, H5),
    (ua.IPAD_SAFARI_LEGACY, H5),
    (ua.ALIPAY_ANDROID, H5),
    (ua.HUAWEI_BROWSER, H5),
    (ua.WINDOWS_CHROME, NATIVE),
    (ua.MAC_SAFARI, NATIVE),  # also an iPad asking for the desktop site: a QR code the phone can scan
    (ua.LINUX_FIREFOX, NATIVE),
    (ua.HEADLESS_CHROME, NATIVE),
    ("", NATIVE),
    (None, NATIVE),
])
def test_the_channel_follows_the_browser(user_agent, channel):
    assert choose_channel(user_agent) == channel
