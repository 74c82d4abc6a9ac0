// The header's links fold into a "Menu" button on narrow screens. Without this script the
// links simply wrap, so nothing depends on it.
(function () {
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
