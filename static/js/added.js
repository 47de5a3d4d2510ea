// The outline after adding a lesson: move focus to the new item, so keyboard and screen
// reader users land where the page marked "Added".
(function () {
  "use strict";
  const item = document.querySelector("[data-focus-on-load]");
  if (item) {
    item.focus({ preventScroll: false });
    item.scrollIntoView({ block: "center" });
  }
})();
