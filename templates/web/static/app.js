// objector's page works without this script; it only adds a copy button and a
// character counter. No data leaves the page: nothing is sent anywhere.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }
  var text = document.getElementById("form-text");
  if (text && navigator.clipboard) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary copy";
    button.textContent = text.getAttribute("data-copy-label");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(text.value).then(function () {
        button.textContent = text.getAttribute("data-copied-label");
      }, function () {
        text.select();
      });
    });
    text.insertAdjacentElement("afterend", button);
  }
  document.querySelectorAll("textarea[data-count]").forEach(function (area) {
    var out = document.createElement("p");
    out.className = "hint";
    out.setAttribute("aria-live", "polite");
    var update = function () { out.textContent = area.value.length + " / 3000"; };
    area.addEventListener("input", update);
    update();
    area.insertAdjacentElement("afterend", out);
  });
});
