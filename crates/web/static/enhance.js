// Progressive enhancements; every page works without them.
(function () {
  // After a failed form, move focus to the error summary so it is read out first.
  var summary = document.querySelector(".error-summary[tabindex='-1']");
  if (summary) summary.focus();

  // Copy buttons (shown only where the clipboard can be written).
  if (navigator.clipboard) {
    document.querySelectorAll("button.copy[data-copy]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () {
        navigator.clipboard.writeText(b.getAttribute("data-copy")).then(function () {
          b.firstChild.textContent = "Copied";
        });
      });
    });
  }

  // The header's links fold into a "Menu" button on narrow screens (without this script
  // the links simply wrap).
  var header = document.querySelector("header.top");
  var button = header && header.querySelector(".menu-toggle");
  var list = document.getElementById("main-nav");
  if (!button || !list) return;
  header.classList.add("js-menu");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    list.classList.toggle("open", !open);
  });
})();
