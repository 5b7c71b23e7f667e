"""A fake WeChat Pay API v3 server on 127.0.0.1 for the adapter tests.

It holds its own platform keys (a certificate for certificate mode and a public key with a
PUB_KEY_ID_ for public-key mode), refuses requests whose merchant signature does not verify,
keeps transactions, refunds and transfers in memory, signs every answer like WeChat, and makes
notifications (signed and encrypted) the way WeChat would POST them.
"""
import json
import secrets
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from shop.payments.gateways import crypto

MCHID = "1900000109"
APPID = "wxd678efh567hg6787"
MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
APIV3_KEY = "k" * 16 + "0123456789abcdef"
BILLS = "/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/"
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000001092024061200111200001234"


class FakeWechatPay:
    """The server's state and keys; `start()` serves it on a free loopback port."""

    def __init__(self, merchant_public_key, mchid=MCHID, appid=APPID, apiv3_key=APIV3_KEY):
        self.mchid, self.appid, self.apiv3_key = mchid, appid, apiv3_key
        self.merchant_public_key = merchant_public_key
        #: Platform certificates, oldest first; WeChat signs with the newest.
        self.platform_certificates = []
        self.rotate_certificate()
        self.public_key_key = crypto.generate_private_key()
        self.public_key_id = PUBLIC_KEY_ID
        #: False imitates a merchant onboarded in public-key mode: no platform certificates to download.
        self.certificates_enabled = True
        #: (old bytes, new bytes) to rewrite in the next answer after it was signed.
        self.tamper_next = None
        self.transactions, self.refunds, self.transfers = {}, {}, {}
        self.requests = []
        self.lock = threading.Lock()
        self._server = self._thread = None

    # --- lifecycle -------------------------------------------------------------------------

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

    @property
    def platform_key(self):
        return self.platform_certificates[-1][0]

    @property
    def platform_serial(self):
        return crypto.certificate_serial(self.platform_certificates[-1][1])

    def rotate_certificate(self):
        """WeChat issues a new platform certificate (the old one stays valid for a while)."""
        self.platform_certificates.append(crypto.generate_key_and_certificate("Tenpay.com Root CA"))

    def public_key_pem(self):
        """The WeChat Pay public key a merchant downloads from the merchant platform (public-key mode)."""
        return crypto.public_key_pem(self.public_key_key)

    # --- what happens at WeChat outside the API --------------------------------------------

    def pay(self, order_no, openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"):
        """The shopper pays: the transaction becomes SUCCESS."""
        with self.lock:
            txn = self.transactions[order_no]
            txn.update(trade_state="SUCCESS", transaction_id="4200" + _digits(24),
                       success_time=crypto.rfc3339(datetime.now(timezone.utc)), payer={"openid": openid})
            txn["amount"]["payer_total"] = txn["amount"]["total"]
            return dict(txn)

    def signing_key(self, mode):
        """(serial, private key) WeChat signs with in `mode` ('certificate' or 'public_key')."""
        if mode == "public_key":
            return self.public_key_id, self.public_key_key
        return self.platform_serial, self.platform_key

    def notification(self, event_type, resource, mode="certificate", apiv3_key=None, **kw):
        """(headers, body) of a notification as WeChat sends it; kw: timestamp, nonce."""
        serial, key = self.signing_key(mode)
        return crypto.build_notification(private_key=key, serial=serial, apiv3_key=apiv3_key or self.apiv3_key,
                                         event_type=event_type, resource=resource, **kw)

    def payment_notification(self, order_no, mode="certificate", **kw):
        txn = self.transactions[order_no]
        return self.notification("TRANSACTION.SUCCESS", txn, mode=mode, **kw)

    def refund_notification(self, refund_no, mode="certificate", status="SUCCESS", **kw):
        refund = dict(self.refunds[refund_no], refund_status=status, mchid=self.mchid)
        refund.pop("status")
        return self.notification(f"REFUND.{status}", refund, mode=mode, **kw)

    # --- the API ---------------------------------------------------------------------------

    def handle(self, method, target, headers, body):
        """(status, answer dict or None) for one request; the handler signs and sends it."""
        self.requests.append({"method": method, "path": target, "headers": dict(headers), "body": body})
        try:
            auth = crypto.verify_authorization(headers.get("Authorization"), method=method, url_path=target,
                                               body=body, public_key=self.merchant_public_key)
        except ValueError as exc:
            return 401, _error("SIGN_ERROR", str(exc))
        if auth["mchid"] != self.mchid or abs(int(auth["timestamp"]) - time.time()) > 300:
            return 401, _error("SIGN_ERROR", "wrong mchid or stale timestamp")
        path, query = urlsplit(target).path, parse_qs(urlsplit(target).query)
        payload = json.loads(body) if body else {}
        with self.lock:
            if method == "GET" and path == "/v3/certificates":
                return self._certificates()
            if method == "POST" and path in ("/v3/pay/transactions/jsapi", "/v3/pay/transactions/h5",
                                             "/v3/pay/transactions/native"):
                return self._prepay(path.rsplit("/", 1)[1], payload)
            if method == "GET" and path.startswith("/v3/pay/transactions/out-trade-no/"):
                if query.get("mchid") != [self.mchid]:
                    return 400, _error("PARAM_ERROR", "mchid mismatch")
                txn = self.transactions.get(unquote(path.rsplit("/", 1)[1]))
                return (200, txn) if txn else (404, _error("ORDER_NOT_EXIST", "订单不存在"))
            if method == "POST" and path == "/v3/refund/domestic/refunds":
                return self._refund(payload)
            if method == "GET" and path.startswith("/v3/refund/domestic/refunds/"):
                refund = self.refunds.get(unquote(path.rsplit("/", 1)[1]))
                return (200, refund) if refund else (404, _error("RESOURCE_NOT_EXISTS", "退款单不存在"))
            if method == "POST" and path == "/v3/fund-app/mch-transfer/transfer-bills":
                return self._transfer(payload, headers.get(crypto.SERIAL))
            if path.startswith(BILLS):
                return self._bill(method, unquote(path[len(BILLS):]))
        return 404, _error("NOT_FOUND", "no such API")

    def _certificates(self):
        if not self.certificates_enabled:
            return 404, _error("RESOURCE_NOT_EXISTS", "无可用的平台证书")
        return 200, {"data": [{
            "serial_no": crypto.certificate_serial(cert),
            "effective_time": crypto.rfc3339(cert.not_valid_before_utc),
            "expire_time": crypto.rfc3339(cert.not_valid_after_utc),
            "encrypt_certificate": crypto.encrypt_resource(self.apiv3_key, crypto.certificate_pem(cert).decode(),
                                                           associated_data="certificate"),
        } for _, cert in self.platform_certificates]}

    def _prepay(self, kind, payload):
        total = payload.get("amount", {}).get("total")
        if payload.get("appid") != self.appid or payload.get("mchid") != self.mchid:
            return 400, _error("APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
        if not isinstance(total, int) or total <= 0 or not payload.get("notify_url"):
            return 400, _error("PARAM_ERROR", "amount.total must be a positive integer")
        if kind == "jsapi" and not payload.get("payer", {}).get("openid"):
            return 400, _error("PARAM_ERROR", "缺少参数 payer.openid")
        if kind == "h5" and not payload.get("scene_info", {}).get("h5_info"):
            return 400, _error("PARAM_ERROR", "缺少参数 scene_info.h5_info")
        order_no = payload["out_trade_no"]
        existing = self.transactions.get(order_no)
        if existing and existing["trade_state"] == "SUCCESS":
            return 400, _error("ORDERPAID", "该订单已支付")
        prepay_id = "wx" + _digits(32)
        self.transactions[order_no] = {
            "appid": self.appid, "mchid": self.mchid, "out_trade_no": order_no, "trade_state": "NOTPAY",
            "trade_state_desc": "未支付", "trade_type": {"jsapi": "JSAPI", "native": "NATIVE"}.get(kind, "MWEB"),
            "amount": {"total": total, "currency": "CNY"}, "notify_url": payload["notify_url"],
            "description": payload["description"]}
        if kind == "jsapi":
            return 200, {"prepay_id": prepay_id}
        if kind == "native":
            return 200, {"code_url": f"weixin://wxpay/bizpayurl/up?pr={prepay_id[2:14]}&groupid=00"}
        return 200, {"h5_url": f"https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id={prepay_id}"
                               f"&package=2150917749"}

    def _refund(self, payload):
        txn = self.transactions.get(payload.get("out_trade_no"))
        if not txn:
            return 404, _error("RESOURCE_NOT_EXISTS", "订单不存在")
        if txn["trade_state"] not in ("SUCCESS", "REFUND"):
            return 400, _error("INVALID_REQUEST", "订单未支付")
        amount = payload["amount"]
        refunded = sum(r["amount"]["refund"] for r in self.refunds.values() if r["out_trade_no"] == txn["out_trade_no"])
        if amount["total"] != txn["amount"]["total"]:
            return 400, _error("PARAM_ERROR", "订单金额与支付金额不一致")
        if amount["refund"] > amount["total"] - refunded:
            return 400, _error("INVALID_REQUEST", "退款金额超过可退金额")
        refund = {"refund_id": "5030" + _digits(25), "out_refund_no": payload["out_refund_no"],
                  "transaction_id": txn["transaction_id"], "out_trade_no": txn["out_trade_no"],
                  "channel": "ORIGINAL", "user_received_account": "支付用户零钱", "status": "PROCESSING",
                  "create_time": crypto.rfc3339(datetime.now(timezone.utc)),
                  "amount": {"total": amount["total"], "refund": amount["refund"], "payer_total": amount["total"],
                             "payer_refund": amount["refund"], "currency": "CNY"}}
        self.refunds.setdefault(payload["out_refund_no"], refund)
        txn["trade_state"] = "REFUND"
        return 200, self.refunds[payload["out_refund_no"]]

    def _transfer(self, payload, serial):
        if payload.get("appid") != self.appid or payload.get("transfer_scene_id") != "1005":
            return 400, _error("PARAM_ERROR", "appid or transfer_scene_id")
        if {i["info_type"] for i in payload.get("transfer_scene_report_infos", [])} != {"岗位类型", "报酬说明"}:
            return 400, _error("PARAM_ERROR", "佣金报酬 needs 岗位类型 and 报酬说明")
        if not isinstance(payload.get("transfer_amount"), int) or payload["transfer_amount"] <= 0:
            return 400, _error("PARAM_ERROR", "transfer_amount")
        name = None
        if "user_name" in payload:
            keys = {crypto.certificate_serial(cert): key for key, cert in self.platform_certificates}
            keys[self.public_key_id] = self.public_key_key
            if serial not in keys:
                return 400, _error("PARAM_ERROR", "Wechatpay-Serial must name the key user_name is encrypted with")
            name = crypto.decrypt_field(keys[serial], payload["user_name"])
        bill = self.transfers.setdefault(payload["out_bill_no"], {
            "out_bill_no": payload["out_bill_no"], "transfer_bill_no": "1330" + _digits(36),
            "create_time": crypto.rfc3339(datetime.now(timezone.utc)), "state": "WAIT_USER_CONFIRM",
            "package_info": "ABBQO+oYAAABAAAAAAAk+yPZGrNA" + secrets.token_hex(8),
            "transfer_amount": payload["transfer_amount"], "openid": payload["openid"], "mch_id": self.mchid,
            "_notify_url": payload.get("notify_url"), "_user_name": name})
        return 200, {k: bill[k] for k in ("out_bill_no", "transfer_bill_no", "create_time", "state", "package_info")}

    def _bill(self, method, rest):
        """GET .../out-bill-no/{no} (the bill as WeChat holds it) and POST .../out-bill-no/{no}/cancel."""
        no, _, action = rest.partition("/")
        bill = self.transfers.get(no)
        if bill is None:
            return 404, _error("NOT_FOUND", "记录不存在")
        if method == "POST" and action == "cancel":
            if bill["state"] not in ("ACCEPTED", "PROCESSING", "WAIT_USER_CONFIRM"):
                return 400, _error("INVALID_REQUEST", "当前状态不允许撤销")
            bill["state"] = "CANCELING"
            return 200, {k: bill[k] for k in ("out_bill_no", "transfer_bill_no", "state")}
        if method == "GET" and not action:
            return 200, {k: v for k, v in bill.items() if not k.startswith("_")}
        return 404, _error("NOT_FOUND", "no such API")

    def finish_transfer(self, no, state="SUCCESS", fail_reason=None):
        """The payee confirms (SUCCESS), or WeChat fails or cancels the bill (FAIL, CANCELLED)."""
        with self.lock:
            bill = self.transfers[no]
            bill["state"] = state
            if fail_reason:
                bill["fail_reason"] = fail_reason
            return dict(bill)

    def transfer_notification(self, no, mode="certificate", **kw):
        """The MCHTRANSFER.BILL.FINISHED notification of a bill in its current state."""
        bill = self.transfers[no]
        resource = {k: bill[k] for k in ("out_bill_no", "transfer_bill_no", "state", "mch_id", "transfer_amount",
                                         "openid", "create_time") if k in bill}
        if bill.get("fail_reason"):
            resource["fail_reason"] = bill["fail_reason"]
        return self.notification("MCHTRANSFER.BILL.FINISHED", resource, mode=mode, **kw)


def _handler_for(fake):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, answer = fake.handle(self.command, self.path, self.headers, body)
            raw = json.dumps(answer, ensure_ascii=False).encode() if answer is not None else b""
            mode = "public_key" if self.headers.get(crypto.SERIAL) == fake.public_key_id else "certificate"
            serial, key = fake.signing_key(mode)
            headers = crypto.signature_headers(key, serial, raw)
            if fake.tamper_next:  # a man in the middle rewrites the signed answer
                (old, new), fake.tamper_next = fake.tamper_next, None
                raw = raw.replace(old, new)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = _serve

        def log_message(self, *args):
            pass

    return Handler


def _error(code, message):
    return {"code": code, "message": message}


def _digits(count):
    return "".join(secrets.choice("0123456789") for _ in range(count))
