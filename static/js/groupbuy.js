/* 拼团 countdowns: every .gb-countdown counts down to its data-expires (UTC, ISO); works without it too. */
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".gb-countdown[data-expires]");
  if (!boxes.length || window.__gbCountdown) return;
  window.__gbCountdown = true;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var now = Date.now();
    boxes.forEach(function (box) {
      var left = Math.floor((Date.parse(box.dataset.expires) - now) / 1000);
      if (isNaN(left)) return;
      if (left <= 0) { box.textContent = box.dataset.done || "00:00:00"; return; }
      var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      box.textContent = pad(h) + ":" + pad(m) + ":" + pad(s);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
