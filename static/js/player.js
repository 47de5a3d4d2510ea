// The course player: a video lesson completes when the learner reaches its end, and a
// downloaded file shows its lesson counted the moment the download ends.
// Without this script the "Mark as watched" button and the plain download link do the same.
(() => {
  const status = document.getElementById("lesson-status");

  const show = (message, failed) => {
    if (!status) {
      return;
    }
    status.textContent = message;
    status.classList.toggle("text-danger", Boolean(failed));
    status.classList.toggle("text-success", !failed);
  };

  const showProgress = (body) => {
    const text = document.getElementById("progress-text");
    if (text) {
      text.textContent = `${body.required_done} of ${body.required} required lessons done ` +
        `(${body.percent}%).`;
    }
    document.querySelectorAll("progress.course-progress").forEach((bar) => {
      bar.value = body.percent;
      bar.textContent = `${body.percent}%`;
    });
  };

  const markDone = (key) => {
    document.querySelectorAll(".lesson-complete").forEach((form) => { form.hidden = true; });
    const item = document.querySelector(`li[data-lesson-key="${CSS.escape(key)}"]`);
    if (!item) {
      return;
    }
    const tick = item.querySelector(".lesson-tick");
    tick.textContent = "✓";
    tick.classList.replace("text-body-tertiary", "text-success");
    item.querySelector(".lesson-done-label").textContent = " (done)";
  };

  const video = document.querySelector("video[data-complete-url]");
  let recorded = false;
  const recordWatched = async () => {
    if (recorded) {
      return;
    }
    recorded = true;
    try {
      const response = await fetch(video.dataset.completeUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": video.dataset.csrfToken },
      });
      const body = await response.json();
      if (!response.ok) {
        recorded = false;
        const reason = body.errors && body.errors.request && body.errors.request[0];
        show(reason || "Could not record that you watched this video.", true);
        return;
      }
      markDone(body.lesson);
      showProgress(body);
      show(body.course_complete ? "Course complete. Well done!" : "Marked as watched.", false);
    } catch (error) {
      recorded = false;
      show("Could not record that you watched this video. Use the button below.", true);
    }
  };
  if (video) {
    video.addEventListener("ended", recordWatched);
  }

  // The download itself completes the lesson on the server; fetching it here lets the page
  // learn when it has, then save the file as the plain link would.
  const saveFile = (blob, name) => {
    const url = URL.createObjectURL(blob);
    const save = document.createElement("a");
    save.href = url;
    save.download = name;
    save.hidden = true;
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  };

  const download = async (link) => {
    const response = await fetch(link.href, { credentials: "same-origin" });
    if (!response.ok) {
      window.location.assign(link.href);  // the server's page says why
      return;
    }
    saveFile(await response.blob(), link.getAttribute("download"));
    const progress = await fetch(link.dataset.progressUrl, {
      credentials: "same-origin", headers: { Accept: "application/json" },
    });
    if (!progress.ok) {
      return;
    }
    const body = await progress.json();
    markDone(link.dataset.key);
    showProgress(body);
    show(body.course_complete ? "Course complete. Well done!"
      : "Downloaded: this lesson is done.", false);
  };

  document.querySelectorAll("a.lesson-download[data-progress-url]").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      download(link).catch(() => window.location.assign(link.href));
    });
  });
})();
