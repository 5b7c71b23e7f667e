"""Which host answered: an `X-Served-By` header naming this host (SHOP_HOST_NAME), so an operator, or the
multi-host test, can tell the hosts behind nginx apart. Nothing is added when the name is unset."""


def register(app):
    """Add the header to every response when SHOP_HOST_NAME is set."""
    name = app.config.get("HOST_NAME")
    if not name:
        return

    @app.after_request
    def served_by(response):
        response.headers["X-Served-By"] = name
        return response
