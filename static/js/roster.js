// The attendance roster: keep a row's minutes in step with its status and "left after"
// segment. "Mark all present" fills every row with the whole session's minutes; when a row
// then becomes "left early", "absent" or "excused" that leftover figure is cleared, and
// choosing a segment puts the minutes up to its end. Minutes typed by hand are kept.
// Without this script the server still works the minutes out when the field is empty.
(() => {
  document.querySelectorAll("fieldset.roster-row").forEach((row) => {
    const status = row.querySelector("select[name^='status-']");
    const left = row.querySelector("select[name^='left-']");
    const minutes = row.querySelector("input[name^='minutes-']");
    if (!status || !left || !minutes) {
      return;
    }
    const until = () => (left.selectedOptions[0] && left.selectedOptions[0].dataset.until) || "";
    let derived = until(); // the minutes the chosen segment stands for
    const isDerived = () => [minutes.max, derived].includes(minutes.value);

    status.addEventListener("change", () => {
      if (status.value !== "attended" && minutes.value === minutes.max) {
        minutes.value = "";
      }
    });
    left.addEventListener("change", () => {
      if (minutes.value === "" || isDerived()) {
        minutes.value = until();
      }
      derived = until();
    });
  });
})();
