def test_home_renders_in_chinese(client, make_product):
    make_product("纯棉T恤", is_featured=True)
    resp = client.get("/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "纯棉T恤" in html and "首页" in html and "购物车" in html


def test_a_view_or_hook_is_inspected_for_async_once(app, monkeypatch):
    """Shop.ensure_sync keeps Flask's answer per function; Flask's own would inspect the function at every request."""
    import flask.app

    seen = []
    real = flask.app.iscoroutinefunction
    monkeypatch.setattr(flask.app, "iscoroutinefunction", lambda func: seen.append(func) or real(func))

    def view():
        return "ok"

    assert app.ensure_sync(view) is view and app.ensure_sync(view) is view and seen == [view]
    bound = app.test_client  # a bound method is made anew at each access: asked every time, never kept
    assert app.ensure_sync(bound) == bound and app.ensure_sync(bound) == bound and seen[1:] == [bound, bound]
    client = app.test_client()
    client.get("/healthz")
    asked = len(seen)
    client.get("/healthz")
    assert len(seen) - asked <= 2, seen[asked:]  # only bound methods, if any, are asked again
