// The attendance roster on a phone: one tap per person, only the details a status needs,
// search and a status filter, counts in the Save bar, and walk-ins found by name.
//
// Minutes follow the status and the "left after" segment: "Mark all present" fills every row
// with the whole session's minutes; when a row then becomes "left early", "absent" or
// "excused" that leftover figure is cleared, and choosing a segment puts the minutes up to
// its end. Minutes typed by hand are kept. Without this script every field shows, and the
// server still works the minutes out when the field is empty.
(() => {
  const rows = document.getElementById("roster-rows");
  const statusOf = (row) => {
    const checked = row.querySelector("input[name^='status-']:checked");
    return checked ? checked.value : "unmarked";
  };

  // --- one row ----------------------------------------------------------------------------
  const showDetails = (row) => {
    const status = statusOf(row);
    row.dataset.status = status;
    row.querySelectorAll("[data-when]").forEach((part) => {
      part.classList.toggle("d-none", !part.dataset.when.split(" ").includes(status));
    });
  };

  const wire = (row) => {
    const left = row.querySelector("select[name^='left-']");
    const minutes = row.querySelector("input[name^='minutes-']");
    const until = () => (left.selectedOptions[0] && left.selectedOptions[0].dataset.until) || "";
    let derived = until(); // the minutes the chosen segment stands for
    const isDerived = () => [minutes.max, derived].includes(minutes.value);
    const fromSegment = () => {
      if (until() && (minutes.value === "" || isDerived())) {
        minutes.value = until();
      }
      derived = until();
    };
    row.addEventListener("change", (event) => {
      if (event.target.name && event.target.name.startsWith("status-")) {
        if (event.target.value !== "attended" && minutes.value === minutes.max) {
          minutes.value = "";
        }
        if (event.target.value === "left_early") {
          fromSegment();
        }
        showDetails(row);
        refresh();
      } else if (event.target === left) {
        fromSegment();
      }
    });
    showDetails(row);
  };

  // --- the whole roster: search, filter, counts ----------------------------------------------
  const search = document.getElementById("roster-search");
  const filter = document.getElementById("roster-filter");
  const shown = document.getElementById("roster-shown");
  const counts = document.getElementById("roster-counts");
  const labels = filter ? Array.from(filter.options).filter((option) => option.value) : [];

  function refresh() {
    if (!rows) {
      return;
    }
    const all = Array.from(rows.querySelectorAll("fieldset.roster-row"));
    const words = search.value.trim().toLowerCase();
    let visible = 0;
    all.forEach((row) => {
      const show = (!words || row.dataset.name.includes(words))
        && (!filter.value || row.dataset.status === filter.value);
      row.hidden = !show;
      visible += show ? 1 : 0;
    });
    shown.textContent = visible === all.length ? "" : `Showing ${visible} of ${all.length}.`;
    const tally = (value) => all.filter((row) => row.dataset.status === value).length;
    const marked = labels.filter((option) => option.value !== "unmarked")
      .map((option) => `${option.text} ${tally(option.value)}`);
    counts.textContent = [...marked, `Not marked ${tally("unmarked")}`].join(" · ");
  }

  if (rows) {
    rows.querySelectorAll("fieldset.roster-row").forEach(wire);
    document.getElementById("roster-tools").hidden = false;
    search.addEventListener("input", refresh);
    filter.addEventListener("change", refresh);
    refresh();
  }

  // --- walk-ins by name ---------------------------------------------------------------------
  const walkIn = document.getElementById("walk-in");
  if (!walkIn) {
    return;
  }
  const who = walkIn.querySelector("input[name='who']");
  const matches = document.getElementById("walk-in-matches");
  const said = document.getElementById("walk-in-status");
  let asked = 0; // answers to an earlier keystroke are dropped

  const suggest = async () => {
    const text = who.value.trim();
    const ask = ++asked;
    if (text.length < 2) {
      matches.replaceChildren();
      return;
    }
    try {
      const url = `${walkIn.dataset.peopleUrl}?q=${encodeURIComponent(text)}`;
      const response = await fetch(url, {credentials: "same-origin",
                                         headers: {Accept: "application/json"}});
      const answer = await response.json();
      if (ask !== asked) {
        return;
      }
      matches.replaceChildren(...answer.items.map((person) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "submit";
        button.name = "person";
        button.value = person.id;
        button.className = "btn btn-outline-primary text-start w-100";
        button.textContent = `Add ${person.name}`;
        if (person.job_title) {
          const title = document.createElement("span");
          title.className = "d-block small";
          title.textContent = person.job_title;
          button.append(title);
        }
        item.append(button);
        return item;
      }));
      said.textContent = answer.items.length ? "" : `Nobody else matches “${text}”.`;
    } catch (error) {
      said.textContent = "People could not be looked up; type their email and press Add.";
    }
  };

  // Added without leaving the page, so the marks not yet saved stay as they are.
  const add = async (submitter) => {
    const data = new FormData(walkIn);
    if (submitter && submitter.name === "person") {
      data.set("person", submitter.value);
    }
    const response = await fetch(walkIn.action, {method: "POST", body: data,
                                                credentials: "same-origin",
                                                headers: {Accept: "application/json"}});
    const answer = await response.json();
    if (!response.ok) {
      said.textContent = Object.values(answer.errors || {}).flat().join(" ");
      who.focus();
      return;
    }
    if (!answer.row || !rows) {
      window.location.reload(); // before the session starts the roster is a plain list
      return;
    }
    rows.querySelectorAll(".roster-empty").forEach((empty) => empty.remove());
    rows.insertAdjacentHTML("beforeend", answer.row);
    const row = rows.lastElementChild;
    wire(row);
    search.value = "";
    filter.value = "";
    refresh();
    who.value = "";
    matches.replaceChildren();
    said.textContent = `${answer.message} Mark them above, then save.`;
    row.querySelector("input[name^='status-']").focus();
  };

  who.addEventListener("input", suggest);
  walkIn.addEventListener("submit", (event) => {
    event.preventDefault();
    add(event.submitter).catch(() => walkIn.submit());
  });
})();
