"""Every center page renders in English with ?lang=en: no placeholder left, the labels translated."""
import flask_babel
import pytest

PAGES = {"/center": "Available", "/center/invite": "Invite friends", "/center/team": "Level 1 members",
         "/center/commissions": "Commission records", "/center/orders": "Promotion orders",
         "/center/withdraw": "Withdrawal rules", "/center/ranking": "Top earners",
         "/center/materials": "Promotion materials"}


@pytest.mark.parametrize("path", sorted(PAGES))
def test_center_page_in_english(client, login, shop, paid_order, path):
    paid_order()
    login(shop.a)
    flask_babel.refresh()
    html = client.get(f"{path}?lang=en").get_data(as_text=True)
    assert PAGES[path] in html and "%(" not in html
    assert "推广中心" not in html and "成为分销商完全免费" not in html
