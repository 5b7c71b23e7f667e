"""Payment gateways: `get_gateway(name)` gives the configured instance (one per app, shared by threads).

SHOP_PAYMENT_GATEWAY chooses the gateway ("sandbox" by default, except in production where it
must be chosen explicitly); WeChat Pay reads SHOP_WECHAT_* settings. Each setting is taken from
app.config first, then from the environment. Only the chosen gateway is served: in particular the
sandbox, whose cashier page "pays" for free, is refused once WeChat Pay is the gateway.
"""
import os

from flask import current_app, url_for

from .base import Gateway, GatewayError, NotificationRejected, PaymentNotice, PaymentStart, RefundNotice, TransferNotice

__all__ = ["Gateway", "GatewayError", "NotificationRejected", "PaymentNotice", "PaymentStart", "RefundNotice",
           "TransferNotice", "get_gateway", "configured_gateway_name", "external_url"]

#: WeChat Pay config key -> the setting it is read from.
WECHAT_SETTINGS = {
    "mchid": "SHOP_WECHAT_MCHID", "appid": "SHOP_WECHAT_APPID", "serial_no": "SHOP_WECHAT_SERIAL_NO",
    "private_key_path": "SHOP_WECHAT_PRIVATE_KEY_PATH", "apiv3_key": "SHOP_WECHAT_APIV3_KEY",
    "public_key_path": "SHOP_WECHAT_PUBLIC_KEY_PATH", "public_key_id": "SHOP_WECHAT_PUBLIC_KEY_ID",
    "base_url": "SHOP_WECHAT_BASE_URL",
}


def external_url(endpoint, **values):
    """An absolute URL for the gateway to call back (notify URLs) or send the shopper back to, always from
    SHOP_BASE_URL: never from a request's Host header, which whoever sends the request chooses."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def _setting(name):
    value = current_app.config.get(name)
    return value if value not in (None, "") else os.environ.get(name) or None


def configured_gateway_name():
    """The gateway payments go through; GatewayError when production has not chosen one."""
    name = _setting("SHOP_PAYMENT_GATEWAY")
    if name:
        return name
    if current_app.config.get("ENV_NAME") == "production":
        raise GatewayError("SHOP_PAYMENT_GATEWAY is not set: production does not fall back to the sandbox",
                           retryable=False)
    return "sandbox"


def get_gateway(name=None):
    """The gateway called `name` (default: the configured one); GatewayError if unknown or not enabled."""
    configured = configured_gateway_name()
    name = name or configured
    if name != configured:
        raise GatewayError(f"payment gateway {name!r} is not enabled (SHOP_PAYMENT_GATEWAY={configured})",
                           retryable=False)
    if name == "sandbox":
        settings = (os.path.join(current_app.instance_path, "sandbox-keys"),)
    elif name == "wechat":
        settings = tuple(sorted((key, _setting(env)) for key, env in WECHAT_SETTINGS.items()))
    else:
        raise GatewayError(f"unknown payment gateway {name!r}", retryable=False)
    # One instance per configuration: WeChat's platform certificates and the sandbox keys load once.
    cache = current_app.extensions.setdefault("shop_payment_gateways", {})
    key = (name, settings)
    if key not in cache:
        cache[key] = _build(name, settings)
    return cache[key]


def _build(name, settings):
    if name == "sandbox":
        from .sandbox import SandboxGateway
        return SandboxGateway(settings[0])
    from .wechat import WechatPayGateway
    return WechatPayGateway(dict(settings))
