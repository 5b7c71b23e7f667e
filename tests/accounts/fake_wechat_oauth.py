"""A fake of WeChat's web-authorization API (api.weixin.qq.com/sns/oauth2/access_token) on 127.0.0.1.

`issue(openid)` plays WeChat's authorize page: it hands out a code (valid once) for that WeChat user. `mode`
imitates faults: "ok", "html" (a captive portal answering 200 with a page), "slow" (answers after `delay` seconds), "http500".
"""
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

APPID = "wx2421b1c4370ec43b"
SECRET = "a7b3c9d2e5f8a1b4c7d0e3f6a9b2c5d8"


class FakeWechatOAuth:
    def __init__(self, appid=APPID, secret=SECRET):
        self.appid, self.secret = appid, secret
        self.codes, self.requests = {}, []
        self.mode, self.delay = "ok", 2.0
        self._server = self._thread = None

    def start(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def issue(self, openid):
        """The code WeChat's authorize page gives for the WeChat user `openid`."""
        code = secrets.token_hex(16)
        self.codes[code] = openid
        return code

    def answer(self, path, query):
        """(HTTP status, body bytes) for one request, as WeChat answers it."""
        self.requests.append({"path": path, "query": query})
        if self.mode == "html":
            return 200, b"<html><body>Welcome to the hotel Wi-Fi</body></html>"
        if self.mode == "http500":
            return 500, b""
        if self.mode == "slow":
            time.sleep(self.delay)
        if path != "/sns/oauth2/access_token":
            return 200, _json(errcode=40066, errmsg="invalid url")
        return 200, self._exchange({k: v[0] for k, v in query.items()})

    def _exchange(self, q):
        if q.get("appid") != self.appid or q.get("secret") != self.secret:
            return _json(errcode=40125, errmsg="invalid appsecret")
        if q.get("grant_type") != "authorization_code":
            return _json(errcode=40002, errmsg="invalid grant_type")
        openid = self.codes.pop(q.get("code"), None)  # a code is good once
        if openid is None:
            return _json(errcode=40029, errmsg="invalid code")
        return _json(access_token="ACCESS_" + secrets.token_hex(8), expires_in=7200,
                     refresh_token="REFRESH_" + secrets.token_hex(8), openid=openid, scope="snsapi_base",
                     is_snapshotuser=0)


def _json(**fields):
    return json.dumps(fields).encode()


def _handler_for(fake):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            parts = urlsplit(self.path)
            status, body = fake.answer(parts.path, parse_qs(parts.query))
            self.send_response(status)
            # WeChat labels its JSON text/plain; the client must not rely on the content type.
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler
