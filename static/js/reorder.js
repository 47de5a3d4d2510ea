// Drag-and-drop ordering of modules and lessons in the course editor.
// A progressive enhancement: the Up and Down buttons do the same without a mouse or script.
(() => {
  const outline = document.getElementById("course-outline");
  const csrf = document.getElementById("reorder-csrf");
  const status = document.getElementById("reorder-status");
  if (!outline || !csrf) {
    return;
  }
  let dragged = null;
  let startOrder = "";

  // The child of ``list`` that contains ``node`` (lessons sit inside module items).
  const itemIn = (list, node) => {
    while (node && node.parentElement !== list) {
      node = node.parentElement;
    }
    return node && node.matches("li[data-key]") ? node : null;
  };
  const keysOf = (list) => Array.from(list.children)
    .filter((child) => child.matches("li[data-key]"))
    .map((child) => child.dataset.key);
  const say = (message) => {
    status.textContent = message;
  };

  const save = async (list) => {
    const keys = keysOf(list);
    say("Saving the new order…");
    try {
      const response = await fetch(list.dataset.reorderUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf.value},
        body: JSON.stringify({module: list.dataset.module || null, keys}),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        const errors = Object.values(answer.errors || {}).flat();
        say(`The order was not saved: ${errors.join(" ") || response.statusText}. ` +
            "Reload the page to see the saved order.");
        return;
      }
      if (!document.querySelector("[data-has-draft]")) {
        // The first change of a published course starts a draft: show its banner.
        window.location.reload();
        return;
      }
      say(`New order saved in draft version ${answer.draft_version}. Publish to show it to learners.`);
    } catch (error) {
      say("The order was not saved: the server could not be reached.");
    }
  };

  outline.addEventListener("dragstart", (event) => {
    const item = event.target.closest("li[data-key]");
    if (!item || !item.parentElement.matches("[data-reorder]")) {
      return;
    }
    dragged = item;
    startOrder = keysOf(item.parentElement).join(",");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.key);
    item.classList.add("opacity-50");
  });

  outline.addEventListener("dragover", (event) => {
    if (!dragged) {
      return;
    }
    const list = dragged.parentElement;
    const target = itemIn(list, event.target);
    if (!target) {
      return;  // only within the dragged item's own list
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (target === dragged) {
      return;
    }
    const box = target.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? target.nextSibling : target);
  });

  outline.addEventListener("drop", (event) => {
    if (dragged) {
      event.preventDefault();
    }
  });

  outline.addEventListener("dragend", () => {
    if (!dragged) {
      return;
    }
    const item = dragged;
    dragged = null;
    item.classList.remove("opacity-50");
    if (keysOf(item.parentElement).join(",") !== startOrder) {
      save(item.parentElement);
    }
  });
})();
