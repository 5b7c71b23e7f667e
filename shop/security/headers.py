"""Security headers on every response: one after_request hook, registered in create_app.

The Content-Security-Policy allows scripts, styles, fonts and frames from this site only. Every page keeps its
script in static/js and its styles in static/css (bar widths are classes, `bar_width`), so neither inline scripts
nor `style=` attributes are allowed. A page that truly needs an inline script puts `nonce="{{ csp_nonce() }}"` on
it; the nonce is then added to that response's policy only, so pages without one keep a policy that never changes
(and may be cached whole). Images may also be `data:` URIs (the payment QR codes are drawn inline) and come from
SHOP_CSP_IMG_SOURCES (default `https:`: a product description may embed the merchant's https images).
`form-action` is left open on purpose: paying by WeChat H5 redirects a submitted form to WeChat's cashier.
"""
import functools
import secrets

from flask import current_app, g, request

BASE_POLICY = ("default-src 'self'; script-src 'self'{nonce}; style-src 'self'; img-src 'self' data:{images}; "
               "object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
FIXED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
#: Pages that show one person's data: never stored by the browser or a proxy (the back button after logout). A view
#: that set its own Cache-Control keeps it (the center's QR code image: private, five minutes).
PRIVATE_PREFIXES = ("/me", "/center", "/admin")


def csp_nonce():
    """This request's script nonce (made on first use); the template global `csp_nonce()`."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(images, nonce=None):
    return BASE_POLICY.format(nonce=f" 'nonce-{nonce}'" if nonce else "", images=f" {images}" if images else "")


@functools.lru_cache(maxsize=16)
def standard_headers(images, production, private):
    """The (name, value) pairs of a response without a nonce, for these settings: built once, not per request."""
    return (tuple(FIXED_HEADERS.items()) + (("Content-Security-Policy", content_security_policy(images)),)
            + ((("Strict-Transport-Security", HSTS),) if production else ())
            + ((("Cache-Control", "no-store"),) if private else ()))


def is_private(path):
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PRIVATE_PREFIXES)


def add_security_headers(response):
    """Set the security headers; a header the view set itself is kept."""
    config, nonce = current_app.config, g.get("csp_nonce")
    wanted = standard_headers(config.get("CSP_IMG_SOURCES"), config.get("ENV_NAME") == "production",
                              is_private(request.path))
    if nonce:
        wanted = [(name, content_security_policy(config.get("CSP_IMG_SOURCES"), nonce)
                   if name == "Content-Security-Policy" else value)
                  for name, value in wanted]
    present = {name.lower() for name in response.headers.keys()}
    response.headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
    return response


def register(app):
    app.after_request(add_security_headers)
    app.add_template_global(csp_nonce)
