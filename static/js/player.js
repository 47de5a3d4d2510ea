// The course player: a video lesson completes when the learner reaches its end.
// Without this script the "Mark as watched" button does the same.
(() => {
  const video = document.querySelector("video[data-complete-url]");
  if (!video) {
    return;
  }
  const status = document.getElementById("lesson-status");
  let recorded = false;

  const show = (message, failed) => {
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
    const item = document.querySelector(`[data-lesson-key="${CSS.escape(key)}"]`);
    if (!item) {
      return;
    }
    const tick = item.querySelector(".lesson-tick");
    tick.textContent = "✓";
    tick.classList.replace("text-body-tertiary", "text-success");
    item.querySelector(".lesson-done-label").textContent = " (done)";
  };

  video.addEventListener("ended", async () => {
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
  });
})();
