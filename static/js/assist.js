/* 助力免单: the campaign page's countdown to its deadline. */
(function () {
  var el = document.getElementById("assist-countdown");
  if (!el) return;
  var end = Date.parse(el.dataset.deadline);
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var s = Math.max(0, Math.floor((end - Date.now()) / 1000));
    el.textContent = Math.floor(s / 3600) + ":" + pad(Math.floor(s % 3600 / 60)) + ":" + pad(s % 60);
    if (s > 0) setTimeout(tick, 1000);
  }
  tick();
})();
