"""The shopper's address behind nginx (SHOP_PROXY_HOPS): what rate limits, the access log and WeChat H5 payments
see. A client's own X-Forwarded-For cannot change it, so rotating that header never resets a limit."""
import logging

import pytest

LIMITED = {"RATELIMIT_ENABLED": True}
PROXY = "127.0.0.1"


def through_proxy(client, i, forged, real):
    """Attempt i through nginx: it appends the address it saw ($proxy_add_x_forwarded_for) to the client's header.
    Each attempt names another phone, so only the per-address limit (20 per minute) counts."""
    return client.post("/login", data={"phone": f"139{i:08d}"}, headers={"X-Forwarded-For": f"{forged}, {real}"},
                       environ_base={"REMOTE_ADDR": PROXY}).status_code


def access_ips(caplog):
    return [r.ip for r in caplog.records if r.name == "shop.access"]


def test_one_hop_keys_on_the_address_the_proxy_appended(host, caplog):
    caplog.set_level(logging.INFO, logger="shop.access")
    client = host(PROXY_HOPS=1, **LIMITED)
    codes = [through_proxy(client, i, f"1.2.3.{i}, 5.6.7.{i}", "203.0.113.9") for i in range(20)]
    assert codes == [200] * 20
    assert through_proxy(client, 20, "9.9.9.9", "203.0.113.9") == 429
    assert through_proxy(client, 21, "1.2.3.4, 5.6.7.8", "203.0.113.10") == 200
    assert set(access_ips(caplog)) == {"203.0.113.9", "203.0.113.10"}


@pytest.mark.parametrize("forged", ["1.2.3.4, 5.6.7.8", "198.51.100.7", "garbage"])
def test_no_hop_ignores_the_header_entirely(host, caplog, forged):
    caplog.set_level(logging.INFO, logger="shop.access")
    client = host(PROXY_HOPS=0, **LIMITED)
    assert [through_proxy(client, i, forged, f"10.0.0.{i}") for i in range(20)] == [200] * 20
    assert through_proxy(client, 20, "8.8.8.8", "10.9.9.9") == 429
    assert set(access_ips(caplog)) == {PROXY}
