/* 确认收款 inside WeChat: requestMerchantTransfer with the bill's package, then reload to show the new state. */
(function () {
  "use strict";
  var button = document.getElementById("transfer-confirm-wechat");
  if (!button) { return; }
  function invoke() {
    window.WeixinJSBridge.invoke("requestMerchantTransfer", {
      mchId: button.getAttribute("data-mch-id"),
      appId: button.getAttribute("data-app-id"),
      package: button.getAttribute("data-package")
    }, function () { window.location.reload(); });
  }
  button.addEventListener("click", function () {
    if (window.WeixinJSBridge) { invoke(); }
    else { document.addEventListener("WeixinJSBridgeReady", invoke, false); }
  });
})();
