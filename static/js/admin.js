/* Admin enhancements; every form also works without JavaScript. */
(function () {
  "use strict";
  // Ask before destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) { if (!window.confirm(f.dataset.confirm)) e.preventDefault(); });
  });
  // Add an empty SKU row: copy the last row, clear it, and give its fields the next index (skus-N-...).
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var table = document.getElementById(button.dataset.addRow);
    if (!table) return;
    button.addEventListener("click", function () {
      var rows = table.querySelectorAll("tbody tr.sku-row");
      var last = rows[rows.length - 1];
      var next = 0;
      table.querySelectorAll("input[name^='skus-']").forEach(function (input) {
        next = Math.max(next, parseInt(input.name.split("-")[1], 10) + 1);
      });
      var row = last.cloneNode(true);
      row.querySelectorAll("input").forEach(function (input) {
        ["name", "id"].forEach(function (attr) {
          if (input[attr]) input[attr] = input[attr].replace(/^skus-\d+-/, "skus-" + next + "-");
        });
        if (input.type === "checkbox") { input.checked = false; } else { input.value = ""; }
        input.classList.remove("error");
      });
      var remove = row.querySelector("input[type=checkbox]");
      if (remove) remove.remove();  // a new row is removed by leaving it empty
      last.parentNode.appendChild(row);
      row.querySelector("input:not([type=hidden])").focus();
    });
  });
  // 批量发货: copy the carrier chosen for all into every row's select (without JavaScript a row left blank takes
  // it on the server).
  document.querySelectorAll("[data-apply-carrier]").forEach(function (button) {
    var source = document.getElementById(button.dataset.applyCarrier);
    if (!source) return;
    button.addEventListener("click", function () {
      button.form.querySelectorAll("select.carrier").forEach(function (select) { select.value = source.value; });
    });
  });
})();
