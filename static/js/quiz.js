// An open assessment attempt: save each answer as it changes, and count the time down.
// Without this script the "Save answers" and "Submit" buttons do the same; the server keeps
// the time limit either way.
(() => {
  const form = document.getElementById("quiz-form");
  if (!form) {
    return;
  }
  const token = form.querySelector("input[name=csrf_token]");
  const questions = Array.from(form.querySelectorAll("fieldset.quiz-question"));
  const progress = document.getElementById("quiz-progress");
  // Saved answers, as the page came (each says "Answer saved."), then as each save reports.
  const answered = new Set(questions.filter((fieldset) =>
    fieldset.querySelector(".quiz-saved").textContent.trim() !== ""));

  const count = (fieldset, isAnswered) => {
    if (isAnswered) {
      answered.add(fieldset);
    } else {
      answered.delete(fieldset);
    }
    if (progress) {
      progress.textContent = `${answered.size} of ${questions.length} answered.`;
    }
  };

  const show = (fieldset, message, failed) => {
    const status = fieldset.querySelector(".quiz-saved");
    status.textContent = message;
    status.classList.toggle("text-danger", Boolean(failed));
    status.classList.toggle("text-body-secondary", !failed);
  };

  const save = async (fieldset) => {
    const body = new FormData();
    if (token) {
      body.append("csrf_token", token.value);
    }
    fieldset.querySelectorAll("input").forEach((input) => {
      if ((input.type !== "radio" && input.type !== "checkbox") || input.checked) {
        body.append(input.name, input.value);
      }
    });
    show(fieldset, "Saving…", false);
    try {
      const response = await fetch(fieldset.dataset.answerUrl, {
        method: "POST", body, credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const answer = await response.json();
      if (response.status === 409 && answer.result_url) {
        window.location.assign(answer.result_url);
        return;
      }
      if (!response.ok) {
        const errors = answer.errors || {};
        const reason = Object.values(errors).flat()[0];
        show(fieldset, reason || "Not saved. Use the Save answers button.", true);
        return;
      }
      show(fieldset, answer.answered ? "Answer saved." : "Answer cleared.", false);
      count(fieldset, answer.answered);
    } catch (error) {
      show(fieldset, "Not saved (connection lost). Use the Save answers button.", true);
    }
  };

  questions.forEach((fieldset) => {
    fieldset.addEventListener("change", () => save(fieldset));
  });

  const timer = document.getElementById("quiz-timer");
  if (!timer) {
    return;
  }
  const clock = timer.querySelector(".quiz-clock");
  const ends = Date.now() + Number(timer.dataset.secondsLeft) * 1000;
  const tick = () => {
    const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    const seconds = String(left % 60).padStart(2, "0");
    clock.textContent = `${Math.floor(left / 60)} min ${seconds} s`;
    if (left === 0) {
      clearInterval(interval);
      timer.classList.replace("alert-info", "alert-warning");
      clock.textContent = "time is up: submitting…";
      const action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      action.value = "submit";
      form.appendChild(action);
      form.submit();
    }
  };
  const interval = setInterval(tick, 1000);
})();
