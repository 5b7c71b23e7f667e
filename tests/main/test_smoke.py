def test_home_renders_in_chinese(client, make_product):
    make_product("纯棉T恤", is_featured=True)
    resp = client.get("/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "纯棉T恤" in html and "首页" in html and "购物车" in html
