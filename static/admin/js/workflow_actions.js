// Workflow admin: each action shows only the fields its kind needs (the model validates the same).
(function () {
  "use strict";
  const FIELDS = {
    send_ticket_form: ["ticket_type", "team"],
    assign: ["team", "teammate"],
    add_note: ["note"],
    snooze: ["snooze_minutes"],
    close: [],
    create_ticket: ["ticket_type", "team", "teammate", "note"],
  };
  const OPTIONAL = ["ticket_type", "team", "teammate", "note", "snooze_minutes"];

  function update(fieldset) {
    const kind = fieldset.querySelector("select[name$='-kind']");
    if (!kind) return;
    const shown = FIELDS[kind.value] || OPTIONAL;
    OPTIONAL.forEach((name) => {
      const row = fieldset.querySelector(`.field-${name}`);
      if (row) row.hidden = !shown.includes(name);
    });
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches(".workflow-action select[name$='-kind']")) update(event.target.closest(".inline-related"));
  });
  document.addEventListener("formset:added", (event) => update(event.target));
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".workflow-action .inline-related").forEach(update);
  });
})();
