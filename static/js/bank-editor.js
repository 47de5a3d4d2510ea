// Question editor: an "Add a choice" button that copies an empty choice row.
// A progressive enhancement: without it the form offers a fixed number of empty rows.
(() => {
  const rows = document.querySelector("[data-choice-rows]");
  const button = document.querySelector("[data-add-choice]");
  if (!rows || !button) {
    return;
  }
  const max = Number(rows.dataset.max || 12);
  const count = () => rows.querySelectorAll("[data-choice-row]").length;
  const update = () => {
    button.disabled = count() >= max;
  };

  // Row n's fields are named choices-n-key, choices-n-text, choices-n-correct; the radio
  // of a single-choice question carries n as its value.
  const renumber = (row, n) => {
    row.querySelectorAll("[name], [id], [for]").forEach((node) => {
      for (const attribute of ["name", "id", "for"]) {
        const value = node.getAttribute(attribute);
        if (value) {
          node.setAttribute(attribute, value
            .replace(/^choices-\d+-/, `choices-${n}-`)
            .replace(/^right-\d+$/, `right-${n}`));
        }
      }
    });
    row.querySelectorAll("input").forEach((input) => {
      if (input.type === "radio") {
        input.value = String(n);
        input.checked = false;
      } else if (input.type === "checkbox") {
        input.checked = false;
      } else {
        input.value = "";
        input.classList.remove("is-invalid");
      }
      if (input.placeholder) {
        input.placeholder = `Choice ${n + 1}`;
      }
    });
    row.querySelectorAll("label.visually-hidden").forEach((label) => {
      label.textContent = label.textContent.replace(/Choice \d+/, `Choice ${n + 1}`);
    });
    row.querySelectorAll(".invalid-feedback").forEach((node) => node.remove());
  };

  button.classList.remove("d-none");
  update();
  button.addEventListener("click", () => {
    if (count() >= max) {
      return;
    }
    const last = rows.querySelector("[data-choice-row]:last-of-type");
    const row = last.cloneNode(true);
    renumber(row, count());
    rows.appendChild(row);
    update();
    row.querySelector("input[type=text], input:not([type])")?.focus();
  });
})();
