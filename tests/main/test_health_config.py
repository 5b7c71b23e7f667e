"""/healthz, configuration, migrations matching the models."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shop import create_app
from shop.config import DEV_SECRET_KEY
from tests.conftest import make_test_config


def test_healthz_ok(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json == {"database": "ok", "redis": "off"}


def test_healthz_503_when_database_unreachable(instance_dir):
    app = create_app(make_test_config(instance_dir, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:9/none",
                                 SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}}))
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.json["database"] == "unreachable"


def test_production_refuses_development_secret(instance_dir):
    with pytest.raises(RuntimeError, match="SHOP_SECRET_KEY"):
        create_app(make_test_config(instance_dir, ENV_NAME="production", SECRET_KEY=DEV_SECRET_KEY))
    app = create_app(make_test_config(instance_dir, ENV_NAME="production", SECRET_KEY="a-real-secret"))
    assert app.config["SECRET_KEY"] == "a-real-secret"


def test_production_refuses_the_sandbox_gateway(instance_dir, monkeypatch):
    production = dict(ENV_NAME="production", SECRET_KEY="a-real-secret")
    with pytest.raises(RuntimeError, match="SHOP_PAYMENT_GATEWAY=sandbox"):
        create_app(make_test_config(instance_dir, SHOP_PAYMENT_GATEWAY="sandbox", **production))
    monkeypatch.setenv("SHOP_PAYMENT_GATEWAY", "sandbox")
    with pytest.raises(RuntimeError, match="SHOP_PAYMENT_GATEWAY=sandbox"):
        create_app(make_test_config(instance_dir, **production))
    monkeypatch.setenv("SHOP_PAYMENT_GATEWAY", "wechat")
    assert create_app(make_test_config(instance_dir, **production)).config["ENV_NAME"] == "production"
    create_app(make_test_config(instance_dir, SHOP_PAYMENT_GATEWAY="sandbox"))  # development keeps its sandbox


def test_database_url_from_environment(monkeypatch, instance_dir):
    import importlib

    monkeypatch.setenv("SHOP_DATABASE_URL", "sqlite:///" + instance_dir + "/env.db")

    import shop.config
    importlib.reload(shop.config)
    try:
        assert shop.config.load_config()["SQLALCHEMY_DATABASE_URI"].endswith("env.db")
    finally:
        monkeypatch.delenv("SHOP_DATABASE_URL")
        importlib.reload(shop.config)


def test_models_and_migrations_agree(db):
    """Autogenerate against the migrated database finds nothing to change."""
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, db.metadata)
    assert diff == []


def test_unknown_page_is_a_friendly_404(client):
    resp = client.get("/no-such-page")
    assert resp.status_code == 404
    assert "页面不存在" in resp.get_data(as_text=True)


def test_english_is_available(client, make_product):
    make_product("T-shirt")
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "Home" in html and "Cart" in html


def test_no_asset_from_a_cdn(client, make_product):
    make_product()
    for path in ("/", "/login", "/category", "/cart"):
        html = client.get(path).get_data(as_text=True)
        assert "http://" not in html and "https://" not in html and "//cdn" not in html, path
