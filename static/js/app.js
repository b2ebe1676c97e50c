// Keyboard shortcuts and focus handling for the inbox. Loaded from our own origin (strict CSP, no inline code).
(function () {
  "use strict";

  const typing = (el) =>
    el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));

  const listItems = () => Array.from(document.querySelectorAll("[data-list-item]"));

  // Enter already opens a link and presses a button; it is a shortcut only where it would do nothing.
  const actionable = (el) =>
    el.closest("a[href], button, summary, input, select, textarea, [role='button'], [role='link'], [contenteditable]");

  // A short status in the page's #flash region (role=status, read out politely): why a shortcut cannot act, or
  // that a link was copied. It goes away after `ms`, or when replaced or cleared.
  let announcementTimer = null;
  function announce(text, ms) {
    const flash = document.getElementById("flash");
    if (!flash) return;
    const message = Object.assign(document.createElement("p"), { className: "flash", textContent: text });
    message.dataset.announcement = "";
    flash.replaceChildren(message);
    clearTimeout(announcementTimer);
    announcementTimer = setTimeout(clearAnnouncement, ms);
  }

  function clearAnnouncement() {
    const flash = document.getElementById("flash");
    if (flash && flash.querySelector("[data-announcement]")) flash.replaceChildren();
  }

  // For the page's other scripts (static/js/saved_replies.js): the same status line.
  window.helpdesk = Object.assign(window.helpdesk || {}, { announce });

  function noConversation(what) {
    return document.getElementById("conversation-list")
      ? `No conversation is open: choose one from the list first to ${what}.`
      : `There is no conversation here to ${what}: open one in the inbox.`;
  }

  // Each shortcut below acts and returns nothing, or returns the reason it cannot act.
  function moveInList(step) {
    const items = listItems();
    if (!items.length) {
      return document.querySelector(".list")
        ? "This list is empty: there is nothing to move to."
        : "There is no list on this page.";
    }
    let index = items.indexOf(document.activeElement);
    if (index === -1) index = items.findIndex((item) => item.getAttribute("aria-current") === "true");
    const next = index === -1 ? (step > 0 ? 0 : items.length - 1) : Math.min(Math.max(index + step, 0), items.length - 1);
    items[next].focus();
    items[next].scrollIntoView({ block: "nearest" });
  }

  function openFromList() {
    if (!listItems().length) return "This list is empty: there is nothing to open.";
    return "Choose an item with j or k first, then press Enter to open it.";
  }

  function focusComposer(mode) {
    const composer = document.getElementById("composer");
    if (!composer) {
      if (mode === "note" && document.querySelector("#main .ticket-pane [data-composer]")) {
        return "This is a ticket: press t to write a note on it.";
      }
      return noConversation(mode === "reply" ? "reply to the customer" : "write a note");
    }
    const radio = composer.querySelector(`input[name="kind"][value="${mode}"]`);
    if (radio) radio.checked = true;
    composer.querySelector("[data-composer]").focus();
  }

  function openAction(id, what) {
    const details = document.getElementById(id);
    if (!details) return noConversation(what);
    details.open = true;
    // A picker's own <select> is hidden behind its search box (.tomselected): the box takes the focus.
    const field = details.querySelector("select:not(.tomselected), input, textarea");
    if (field) field.focus();
  }

  function closeConversation() {
    const button = document.querySelector('button[data-shortcut="c"]');
    if (button) {
      button.click();
      return;
    }
    if (document.getElementById("conversation-pane")) return "This conversation is already closed.";
    return noConversation("close");
  }

  function focusTicketNote() {
    // Whatever ticket is shown: beside the conversation (a back-office ticket or a tracker), or in a ticket view.
    const note = document.querySelector("#ticket-side [data-composer], #main .ticket-pane [data-composer]");
    if (note) {
      note.focus();
      return;
    }
    const side = document.getElementById("ticket-side");
    if (!side) return "No ticket is open: open a conversation with a linked ticket, or a ticket from a ticket view.";
    return "No linked ticket to write a note on: create a back-office ticket or link a tracker first.";
  }

  // A resolved ticket's resolution card (its details, in the conversation's timeline) into the reply composer,
  // after what is already written: the latest card for the `i` shortcut, or the card whose button was pressed.
  function insertResolution(button) {
    const cards = document.querySelectorAll("#conversation-timeline [data-insert-reply]");
    const card = button || cards[cards.length - 1];
    if (!card) {
      if (!document.getElementById("composer")) return noConversation("insert a resolution card");
      return "No resolution card here yet: it comes when a linked ticket that asks for resolution details is resolved.";
    }
    focusComposer("reply");
    const composer = document.querySelector("#composer [data-composer]");
    composer.value = composer.value.trim() ? `${composer.value.trimEnd()}\n\n${card.dataset.insertReply}` : card.dataset.insertReply;
    composer.dispatchEvent(new Event("input", { bubbles: true }));
    composer.setSelectionRange(composer.value.length, composer.value.length);
    announce("The resolution details are in the reply.");
  }

  function focusSearch() {
    // On the search page, its own box (which keeps the kind and filters); elsewhere the top bar's.
    const box = document.querySelector(".search-form input[name='q']") || document.getElementById("topbar-search");
    if (!box) return "There is no search box on this page.";
    box.focus();
    box.select();
  }

  // The bell (templates/_app.html): a disclosure of the latest notifications, loaded by htmx at each opening.
  function bell() {
    return document.querySelector("[data-bell]");
  }
  function setBellOpen(open) {
    const button = bell();
    const panel = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!panel) return;
    button.setAttribute("aria-expanded", String(open));
    panel.hidden = !open;
  }
  function openBell() {
    const button = bell();
    if (!button) return "There is no notification bell on this page.";
    button.focus();
    button.click();
  }

  function openShortcuts() {
    const dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  // What static/js/palette.js runs as the same shortcuts do: its commands reuse these, they do not repeat them.
  window.helpdesk = Object.freeze({ announce, openAction, focusTicketNote });

  const keys = {
    "?": openShortcuts,
    "/": focusSearch,
    j: () => moveInList(1),
    k: () => moveInList(-1),
    Enter: openFromList,
    r: () => focusComposer("reply"),
    n: () => focusComposer("note"),
    a: () => openAction("assign-action", "assign"),
    s: () => openAction("snooze-action", "snooze"),
    f: () => openAction("ticket-form-action", "send a ticket form"),
    c: closeConversation,
    t: focusTicketNote,
    i: () => insertResolution(null),
    b: openBell,
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
    // Escape in an open picker closes its list (tom-select), and leaves the teammate in the search box.
    if (event.key === "Escape" && target.closest(".ts-wrapper.dropdown-active")) return;
    if (event.key === "Escape" && target.closest(".bell") && bell().getAttribute("aria-expanded") === "true") {
      setBellOpen(false);
      bell().focus();
      return;
    }
    if (event.key === "Escape" && typing(target)) {
      // A search box would also empty itself: the search page's keeps the words of the results it shows.
      if (target.closest(".search-form")) event.preventDefault();
      target.blur();
      return;
    }
    if (typing(target) || event.ctrlKey || event.metaKey || event.altKey) return;
    // Shortcuts belong to the teammates' app (its pages have the shortcut list), not to the customers' pages.
    if (!document.getElementById("shortcuts") || document.querySelector("dialog[open]")) return;
    if (event.key === "Enter" && actionable(target)) return;
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      const reason = action();  // a shortcut that cannot act says why, instead of doing nothing
      if (reason) announce(reason, 8000);
      else clearAnnouncement();
    }
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-open-shortcuts]")) openShortcuts();
    const bellButton = event.target.closest("[data-bell]");
    if (bellButton) setBellOpen(bellButton.getAttribute("aria-expanded") !== "true");
    else if (!event.target.closest(".bell-panel")) setBellOpen(false);
    const card = event.target.closest("[data-insert-reply]");
    if (card) insertResolution(card);
    const item = event.target.closest("[data-list-item]");
    if (item) {
      listItems().forEach((other) => other.removeAttribute("aria-current"));
      item.setAttribute("aria-current", "true");
    }
  });

  // A live region (data-live, static/js/live.js) is not refreshed while the teammate is in a form inside it: a
  // state chosen but not yet moved would be lost, as the ticket header's state and assign forms were when a
  // cross-post refreshed it. Their own submit re-renders it; if they leave the form instead, it catches up then.
  const isLiveRefresh = (elt) => elt.hasAttribute("data-live");
  document.addEventListener("htmx:beforeRequest", (event) => {
    const elt = event.detail.elt;
    if (event.detail.requestConfig.verb !== "get" || !isLiveRefresh(elt)) return;
    const active = document.activeElement;
    if (active && active !== document.body && elt.contains(active) && active.closest("form")) {
      event.preventDefault();
      elt.dataset.refreshPending = "1";
    }
  });
  document.addEventListener("focusout", (event) => {
    const region = event.target.closest && event.target.closest("[data-refresh-pending]");
    if (!region || (event.relatedTarget && region.contains(event.relatedTarget))) return;
    delete region.dataset.refreshPending;
    htmx.trigger(region, "live");
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
      // A page link: the same one on the new page (Next again), else the other one (the last page has no Next).
      if (active.matches(".pager a[rel]")) refocus = [`.pager a[rel="${active.rel}"]`, ".pager a[rel]"];
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
    const again = refocus && [].concat(refocus).map((selector) => document.querySelector(selector)).find(Boolean);
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

  // A "Copy" button beside a read-only field (data-copy: the field's id), such as the messenger link: copy its
  // value and say so in the page's #flash region (role=status). The Clipboard API needs a secure context (https,
  // or 127.0.0.1 and localhost); elsewhere the text is selected and copied the old way, or left selected.
  const announceCopy = (text) => announce(text, 5000);

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy]");
    const field = button && document.getElementById(button.dataset.copy);
    if (!field) return;
    const done = button.dataset.copied || "Copied";
    const selectAndCopy = () => {
      field.focus();
      field.select();
      announceCopy(document.execCommand("copy") ? done : "Press Ctrl+C to copy the selected text.");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(() => announceCopy(done), selectAndCopy);
    } else {
      selectAndCopy();
    }
  });

  // Searchable pickers (helpdesk.forms.PickerField): a <select data-picker="URL"> carries only its current choice;
  // tom-select (static/vendor/tom-select/) turns it into a search box whose options come from URL?q=, a JSON
  // {"results": [{"value": id, "text": name}]} of at most 20. Forms swapped in by htmx get theirs on htmx:load,
  // which htmx also fires for the page's body once loaded.
  const ranked = (option) => ({ ...option, rank: `${option.value === "" ? 0 : 1}${option.text.toLowerCase()}` });

  function loadOptions(select) {
    return (query, callback) => {
      fetch(`${select.dataset.picker}?q=${encodeURIComponent(query)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then((response) => (response.ok ? response.json() : { results: [] }))
        .then((data) => callback(data.results.map(ranked)))
        .catch(() => callback());
    };
  }

  function initPickers(root) {
    if (typeof TomSelect === "undefined" || !root.querySelectorAll) return;
    const selects = root.matches && root.matches("select[data-picker]") ? [root] : root.querySelectorAll("select[data-picker]");
    selects.forEach((select) => {
      if (select.tomselect) return;
      new TomSelect(select, {
        allowEmptyOption: true, // "Unassigned", "No team": a choice like the others
        preload: "focus", // the first options as soon as the box is focused, before anything is typed
        shouldLoad: () => true, // and again for every query, the empty one included
        loadThrottle: 200,
        maxOptions: null, // the server sends at most 20
        // Best matches first as one types; before that, the empty choice ("Unassigned") and then names A to Z.
        sortField: [{ field: "$score", direction: "desc" }, { field: "rank" }],
        load: loadOptions(select),
        render: {
          no_results: () => '<div class="no-results">No match: type another name.</div>',
          loading: () => '<div class="spinner" aria-hidden="true"></div>',
        },
        onInitialize() {
          Object.values(this.options).forEach((option) => this.updateOption(option.value, ranked(option)));
          // The <select> stays in the form (it is what is submitted) but is no longer what a person uses: its
          // label now names the search box, and assistive technologies skip the select.
          select.setAttribute("aria-hidden", "true");
        },
      });
    });
  }

  document.addEventListener("htmx:load", (event) => initPickers(event.detail.elt));

  // The search page's address (pushed as its form is sent) names only the filters in use: no `team=&since=`.
  document.addEventListener("htmx:configRequest", (event) => {
    if (!event.detail.elt.matches(".search-form")) return;
    const parameters = event.detail.parameters;
    Object.keys(parameters).filter((name) => parameters[name] === "").forEach((name) => delete parameters[name]);
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
  // Response targets (templates/tickets/ticket.html): each running one counts down to its due time, every second.
  function countdown(element) {
    const left = Math.round((Date.parse(element.dataset.countdown) - Date.now()) / 1000);
    const span = Math.abs(left);
    const days = Math.floor(span / 86400);
    const hours = Math.floor((span % 86400) / 3600);
    const minutes = Math.floor((span % 3600) / 60);
    const seconds = String(span % 60).padStart(2, "0");
    const text = days
      ? `${days} d ${hours} h`
      : hours
        ? `${hours} h ${String(minutes).padStart(2, "0")} min`
        : `${minutes} min ${seconds} s`;
    element.textContent = left >= 0 ? `in ${text}` : `overdue by ${text}`;
    element.classList.toggle("overdue", left < 0);
  }
  setInterval(() => document.querySelectorAll("[data-countdown]").forEach(countdown), 1000);
})();
