// Warn before leaving a page whose marked forms hold text that was not saved: a coach types
// notes during a live meeting and must not lose them to a stray click. A form is unsaved
// when a field differs from what the page loaded with, or when the server sent it back
// unsaved (``data-unsaved``, after a refused save). Submitting the form itself is a save,
// so it clears the warning for that form.
(() => {
  const forms = Array.from(document.querySelectorAll("form[data-warn-unsaved]"));
  if (forms.length === 0) {
    return;
  }
  const submitting = new Set();
  const changed = (form) => Array.from(form.querySelectorAll("textarea, input[type='text']"))
    .some((input) => input.value !== input.defaultValue);
  const unsaved = (form) => !submitting.has(form)
    && (form.hasAttribute("data-unsaved") || changed(form));

  forms.forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!event.defaultPrevented) {
        submitting.add(form);
      }
    });
  });
  window.addEventListener("beforeunload", (event) => {
    if (forms.some(unsaved)) {
      event.preventDefault();
      event.returnValue = ""; // older Chromium asks only when returnValue is set
    }
  });
  // Back from the browser's cache: the page is live again, so is its warning.
  window.addEventListener("pageshow", () => submitting.clear());
})();
