// Small progressive enhancements; every page works without them.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = button && button.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// Error summary of a form that failed (templates/_macros/forms.html): focus it on load so the
// problems are read first, and let each link put focus in its field, not just scroll there.
{
  const errorSummary = document.querySelector(".error-summary");
  if (errorSummary) {
    errorSummary.focus();
    errorSummary.addEventListener("click", (event) => {
      const link = event.target.closest("a.error-summary-link");
      const id = link && link.hash.slice(1);
      // A list of fields (FieldList) has no element of its own: its entries are id-0, id-1 …
      const target = id && (document.getElementById(id)
        || document.querySelector(`[id^="${CSS.escape(id)}-"]`));
      if (!target) return;
      const field = target.matches("input, select, textarea, button")
        ? target : target.querySelector("input, select, textarea, button");
      if (!field) return;
      event.preventDefault();
      field.focus();
      const label = field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
      (target.closest("fieldset") || label || field).scrollIntoView({block: "center"});
    });
  }
}

// A table wider than a phone scrolls sideways inside .table-responsive (a <pre> sample too):
// make each box that really scrolls a named region keyboard users can focus and scroll
// (WCAG 2.1.1), named by the table's caption or the heading before it. Boxes that fit stay
// out of the Tab order.
{
  const nameOf = (box) => {
    const caption = box.querySelector("caption");
    if (caption) return caption.textContent.trim();
    let node = box;
    while (node && node !== document.body) {
      let sibling = node.previousElementSibling;
      while (sibling) {
        const heading = sibling.matches("h1, h2, h3, h4, h5, h6")
          ? sibling : sibling.querySelector("h1, h2, h3, h4, h5, h6");
        if (heading) return heading.textContent.trim();
        sibling = sibling.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  };
  const markScrollers = () => {
    for (const box of document.querySelectorAll(".table-responsive, .overflow-auto, pre")) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", `${nameOf(box)} (scrolls sideways)`);
        box.dataset.scroller = "";
      } else if (!scrolls && "scroller" in box.dataset) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scroller;
      }
    }
  };
  markScrollers();
  let pending;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(markScrollers, 150);
  });
}
