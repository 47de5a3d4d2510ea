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
