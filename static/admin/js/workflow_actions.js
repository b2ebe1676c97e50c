// Workflow admin: each action shows only the fields its kind needs. The mapping comes from Python
// (workflows.models.ACTION_FIELDS, on the kind select's data-fields-by-kind), which also validates them.
(function () {
  "use strict";

  function update(fieldset) {
    const kind = fieldset.querySelector("select[name$='-kind']");
    if (!kind || !kind.dataset.fieldsByKind) return;
    const fieldsByKind = JSON.parse(kind.dataset.fieldsByKind);
    const optional = [...new Set(Object.values(fieldsByKind).flat())];
    const shown = fieldsByKind[kind.value] || optional;
    optional.forEach((name) => {
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
