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
    bound = app.test_client  # a bound method is made anew at each access: its function is asked once
    assert app.ensure_sync(bound) == bound and app.ensure_sync(app.test_client) == bound and seen[1:] == [bound]
    client = app.test_client()
    client.get("/healthz")
    asked = len(seen)
    client.get("/healthz")
    assert seen[asked:] == []  # no hook, bound method or not, asked again


def test_an_async_bound_method_is_still_run_as_async(app):
    """What Flask's ensure_sync does for a coroutine function, kept per function for a bound method too."""
    class Hooks:
        async def hook(self):
            return "async"

        def plain(self):
            return "plain"

    hooks = Hooks()
    try:
        made = app.ensure_sync(hooks.hook)
    except RuntimeError as err:  # Flask's async support needs the asgiref extra, which the mall does not install
        assert "asgiref" in str(err) or "async" in str(err)
    else:
        assert made != hooks.hook and made() == "async"
    assert app.ensure_sync(hooks.plain) == hooks.plain and app.ensure_sync(Hooks().plain)() == "plain"
