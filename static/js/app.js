// Keyboard shortcuts and focus handling for the inbox. Loaded from our own origin (strict CSP, no inline code).
(function () {
  "use strict";

  const typing = (el) =>
    el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));

  const listItems = () => Array.from(document.querySelectorAll("[data-list-item]"));

  function moveInList(step) {
    const items = listItems();
    if (!items.length) return;
    let index = items.indexOf(document.activeElement);
    if (index === -1) index = items.findIndex((item) => item.getAttribute("aria-current") === "true");
    const next = index === -1 ? (step > 0 ? 0 : items.length - 1) : Math.min(Math.max(index + step, 0), items.length - 1);
    items[next].focus();
    items[next].scrollIntoView({ block: "nearest" });
  }

  function focusComposer(mode) {
    const composer = document.getElementById("composer");
    if (!composer) return;
    const radio = composer.querySelector(`input[name="kind"][value="${mode}"]`);
    if (radio) radio.checked = true;
    composer.querySelector("[data-composer]").focus();
  }

  function openAction(id) {
    const details = document.getElementById(id);
    if (!details) return;
    details.open = true;
    const field = details.querySelector("select, input, textarea");
    if (field) field.focus();
  }

  function clickShortcut(key) {
    const button = document.querySelector(`button[data-shortcut="${key}"]`);
    if (button) button.click();
  }

  function openShortcuts() {
    const dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  const keys = {
    "?": openShortcuts,
    j: () => moveInList(1),
    k: () => moveInList(-1),
    r: () => focusComposer("reply"),
    n: () => focusComposer("note"),
    a: () => openAction("assign-action"),
    s: () => openAction("snooze-action"),
    f: () => openAction("ticket-form-action"),
    c: () => clickShortcut("c"),
    t: () => {
      const note = document.querySelector("#ticket-side [data-composer], #main .ticket-pane [data-composer]");
      if (note) note.focus();
    },
  };

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    // In a composer: Ctrl/Cmd+Enter sends; with Shift, a ticket note is also cross-posted.
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.matches("[data-composer]")) {
      const which = event.shiftKey ? "cross-post" : "primary";
      const button = target.form && target.form.querySelector(`[data-shortcut-submit="${which}"]`);
      if (button) {
        event.preventDefault();
        button.click();
      }
      return;
    }
    if (event.key === "Escape" && typing(target)) {
      target.blur();
      return;
    }
    if (typing(target) || event.ctrlKey || event.metaKey || event.altKey) return;
    const action = keys[event.key];
    if (action && !document.querySelector("dialog[open]")) {
      event.preventDefault();
      action();
    }
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-open-shortcuts]")) openShortcuts();
    const item = event.target.closest("[data-list-item]");
    if (item) {
      listItems().forEach((other) => other.removeAttribute("aria-current"));
      item.setAttribute("aria-current", "true");
    }
  });

  // Live refreshes replace regions under the teammate's focus: put focus back on the same item.
  let refocus = null;
  let timelineWasAtBottom = true;
  document.addEventListener("htmx:beforeSwap", (event) => {
    const active = document.activeElement;
    const target = event.detail.target;
    refocus = null;
    if (active && target.contains(active) && active !== document.body) {
      refocus = active.id ? `#${CSS.escape(active.id)}` : active.matches("[data-list-item]") ? `[data-list-item][href="${CSS.escape(active.getAttribute("href"))}"]` : null;
    }
    const timeline = target.matches(".timeline") ? target : target.querySelector(".timeline");
    timelineWasAtBottom = !timeline || timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 40;
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    // htmx settles each out-of-band element separately: act once per request.
    const xhr = event.detail.xhr;
    if (xhr) {
      if (xhr.focusHandled) return;
      xhr.focusHandled = true;
    }
    const elt = event.detail.elt;
    const verb = event.detail.requestConfig && event.detail.requestConfig.verb;
    const swapped = elt.isConnected ? elt : document.getElementById(elt.id) || document.body;
    // The focused element may be gone (a form replaced by its confirmation): then focus goes as if it were not.
    const again = refocus && document.querySelector(refocus);
    refocus = null;
    if (again) {
      again.focus();
    } else if (verb === "post") {
      // After the teammate's own action, focus goes where the next keystroke belongs.
      const next = swapped.matches("[data-focus-after-swap]") ? swapped : swapped.querySelector("[data-focus-after-swap]");
      if (next) next.focus();
    } else if (event.detail.target && event.detail.target.id === "main") {
      const heading = document.querySelector("#main h2[tabindex='-1']");
      if (heading) heading.focus();
    }
    document.querySelectorAll(".timeline").forEach((timeline) => {
      if (!timeline.dataset.scrolled || timelineWasAtBottom) {
        timeline.scrollTop = timeline.scrollHeight;
        timeline.dataset.scrolled = "1";
      }
    });
  });

  document.addEventListener("htmx:responseError", (event) => {
    if (event.detail.xhr.status >= 500) {
      const flash = document.getElementById("flash");
      if (flash) flash.textContent = "Something went wrong on our side. Try again in a moment.";
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".timeline").forEach((timeline) => {
      timeline.scrollTop = timeline.scrollHeight;
      timeline.dataset.scrolled = "1";
    });
  });
})();
