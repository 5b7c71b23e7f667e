/* Calls WeChat's in-app payment with the server-signed JSAPI parameters, then shows the order. */
(function () {
  "use strict";
  var params = JSON.parse(document.getElementById("jsapi-params").textContent);
  var back = document.querySelector("a.btn").href;
  function invoke() {
    window.WeixinJSBridge.invoke("getBrandWCPayRequest", params, function () { window.location.href = back; });
  }
  if (window.WeixinJSBridge) { invoke(); }
  else { document.addEventListener("WeixinJSBridgeReady", invoke, false); }
})();
