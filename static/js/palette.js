// The command palette (templates/components/palette.html): Ctrl/Cmd+K anywhere in the teammates' app, in a text
// field too (a chord types nothing), or the topbar's "Go to…". The ARIA combobox pattern: focus stays in the input,
// Up/Down move the highlighted option (aria-activedescendant), Enter opens or runs it, Escape closes the palette and
// puts focus back where it was.
//
// The options come from the server (helpdesk/palette_views.py) for what was typed and what the page has open, asked
// ~150 ms after the last keystroke; a newer question cancels an older one, whose answer is never shown. Enter typed
// before the answer for the current text came waits for it, so Ctrl+K, "#123", Enter opens #123.
//
// An option goes to its `data-href`, or runs `data-command` (with `data-value`) on the page as it is: each command
// presses the page's own button or submits its own form, so every change goes through the existing view and action.
// A command whose button is gone (the pane changed meanwhile) says why, in the page's #flash region.
//
// Saved replies: an option with data-command="insert-saved-reply" and data-value=<id> dispatches, on `document`,
// CustomEvent("insert-saved-reply", {detail: {id}}); the composer inserts that saved reply where the teammate was.
(function () {
  "use strict";

  const dialog = document.getElementById("palette");
  if (!dialog) return; // not a page of the teammates' app
  const input = document.getElementById("palette-input");
  const status = document.getElementById("palette-status");
  const blank = document.getElementById("palette-results").cloneNode(true);
  const DEBOUNCE_MS = 150;

  let returnFocus = null;
  let timer = null;
  let controller = null;
  let asked = 0; // the number of the latest question: only its answer is shown
  let shownFor = null; // the text whose options are shown
  let enterPending = false;

  const options = () => Array.from(dialog.querySelectorAll("[role='option']"));
  const highlighted = () => dialog.querySelector("[role='option'][aria-selected='true']");

  function highlight(option) {
    options().forEach((other) => other.setAttribute("aria-selected", String(other === option)));
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function move(step) {
    const all = options();
    if (!all.length) return;
    const index = all.indexOf(highlighted());
    const next = index === -1 ? (step > 0 ? 0 : all.length - 1) : (index + step + all.length) % all.length;
    highlight(all[next]);
  }

  function replaceResults(fresh) {
    document.getElementById("palette-results").replaceWith(fresh);
    const all = options();
    input.setAttribute("aria-expanded", String(all.length > 0));
    highlight(all[0] || null);
  }

  // What the page has open, whose commands the palette offers: the conversation pane's, and the ticket pane's (beside
  // the conversation, or in a ticket view).
  function openItems() {
    const params = new URLSearchParams();
    const conversation = document.getElementById("open-conversation");
    if (conversation && conversation.value) params.set("conversation", conversation.value);
    const ticket = document.querySelector("#ticket-pane[data-ticket-id]");
    if (ticket) params.set("ticket", ticket.dataset.ticketId);
    return params;
  }

  function show(html, text) {
    const template = document.createElement("template");
    template.innerHTML = html; // the server's partial: escaped, and no script runs under the CSP
    const fresh = template.content.getElementById("palette-results");
    if (!fresh) return problem("The palette could not read the answer. Try again.");
    replaceResults(fresh);
    shownFor = text;
    status.textContent = fresh.dataset.summary || "";
    if (enterPending && text === input.value.trim()) {
      enterPending = false;
      run(highlighted());
    }
  }

  function problem(message) {
    enterPending = false;
    const fresh = blank.cloneNode(true);
    fresh.prepend(Object.assign(document.createElement("p"), { className: "palette-message palette-error", textContent: message }));
    replaceResults(fresh);
    status.textContent = message;
  }

  function ask(text) {
    clearTimeout(timer);
    timer = null;
    if (controller) controller.abort();
    controller = new AbortController();
    const number = ++asked;
    const params = openItems();
    params.set("q", text);
    // Asked as htmx would: a signed-out teammate gets an HX-Redirect to the login page, not the page itself.
    const headers = { "HX-Request": "true", "HX-Current-URL": window.location.href };
    fetch(`${dialog.dataset.palette}?${params}`, { credentials: "same-origin", headers, signal: controller.signal })
      .then(async (response) => {
        const redirect = response.headers.get("HX-Redirect");
        if (redirect) {
          window.location.assign(redirect);
          return;
        }
        const html = await response.text();
        if (number !== asked) return; // a newer question was asked meanwhile
        // 400: the palette's own message about a bad parameter; anything else is not an answer to show.
        if (response.ok || response.status === 400) show(html, text);
        else problem(response.status === 403 ? "This is for teammates only." : "Something went wrong on our side. Try again in a moment.");
      })
      .catch((error) => {
        if (error.name !== "AbortError" && number === asked) problem("The help desk cannot be reached. Try again in a moment.");
      });
  }

  function open() {
    if (dialog.open) {
      input.focus();
      input.select();
      return;
    }
    const sheet = document.getElementById("shortcuts");
    if (sheet && sheet.open) sheet.close();
    returnFocus = document.activeElement !== document.body ? document.activeElement : null;
    input.value = "";
    shownFor = null;
    dialog.showModal();
    input.focus();
    ask(""); // the commands of what is open, at once
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  dialog.addEventListener("close", () => {
    clearTimeout(timer);
    timer = null;
    if (controller) controller.abort();
    asked += 1;
    enterPending = false;
    replaceResults(blank.cloneNode(true));
    status.textContent = "";
    const back = returnFocus && returnFocus.isConnected ? returnFocus : null;
    returnFocus = null;
    if (back) back.focus();
    else if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  });

  // --- Commands: each presses what the page already has, and returns the reason it cannot, if it cannot. ---

  const NO_CONVERSATION = "That conversation is no longer open here.";
  const NO_TICKET = "That ticket is no longer open here.";

  function press(selector, missing) {
    const button = document.querySelector(selector);
    if (!button) return missing;
    button.click();
  }

  // A picker (static/js/app.js, tom-select) carries only its current choice: the teammate is added, then chosen.
  function choose(select, value, label) {
    if (select.tomselect) {
      select.tomselect.addOption({ value, text: label });
      select.tomselect.setValue(value, true);
    }
    if (!Array.from(select.options).some((option) => option.value === value)) select.add(new Option(label, value));
    select.value = value;
  }

  function assignToMe(form, missing) {
    const select = form && form.querySelector("select[name='assignee']");
    if (!select) return missing;
    choose(select, dialog.dataset.teammateId, dialog.dataset.teammateName);
    form.requestSubmit();
  }

  function snooze(preset) {
    const form = document.querySelector("#snooze-action form");
    const choice = form && form.querySelector("select[name='preset']");
    if (!choice) return NO_CONVERSATION;
    choice.value = preset;
    form.requestSubmit();
  }

  const commands = {
    "assign-conversation-to-me": () => assignToMe(document.querySelector("#assign-action form"), NO_CONVERSATION),
    "snooze-1h": () => snooze("1h"),
    "snooze-tomorrow": () => snooze("tomorrow"),
    close: () => press("#conversation-header button[data-shortcut='c']", "This conversation is already closed."),
    reopen: () => press("#conversation-header [data-palette-command='reopen']", "This conversation is already open."),
    "new-back-office-ticket": () => press("#ticket-side [data-palette-command='new-back-office-ticket']", NO_CONVERSATION),
    "link-tracker": () => press("#ticket-side [data-palette-command='link-tracker']", NO_CONVERSATION),
    "send-ticket-form": () => window.helpdesk.openAction("ticket-form-action", "send a ticket form"),
    "assign-ticket-to-me": () => {
      const submit = document.getElementById("ticket-assign-submit");
      return assignToMe(submit && submit.form, NO_TICKET);
    },
    "ticket-note": () => window.helpdesk.focusTicketNote(),
    "insert-saved-reply": (id) => {
      document.dispatchEvent(new CustomEvent("insert-saved-reply", { detail: { id: Number(id) } }));
    },
  };

  function run(option) {
    if (!option) return;
    const { href, command, value } = option.dataset;
    close(); // focus goes back first: a command may then move it where its form is
    if (href) {
      window.location.assign(href);
      return;
    }
    const action = commands[command];
    const reason = action ? action(value) : "That command cannot be run on this page.";
    if (reason) window.helpdesk.announce(reason, 8000);
  }

  // --- Keys and pointer ---

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => ask(input.value.trim()), DEBOUNCE_MS);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (timer !== null || shownFor !== input.value.trim()) enterPending = true; // its options are on their way
      else run(highlighted());
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // app.js would leave the field; the palette closes instead
      close();
    }
  });

  dialog.addEventListener("pointermove", (event) => {
    const option = event.target.closest("[role='option']");
    if (option && option !== highlighted()) highlight(option);
  });

  dialog.addEventListener("click", (event) => {
    const option = event.target.closest("[role='option']");
    if (option) run(option);
    else if (event.target === dialog) close(); // the backdrop
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-open-palette]")) open();
  });
  // On a Mac the chord is Cmd+K: the topbar button says so (both work everywhere).
  if (/Mac|iPhone|iPad/.test(navigator.platform)) {
    document.querySelectorAll("[data-open-palette] kbd:first-of-type").forEach((key) => (key.textContent = "⌘"));
  }

  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "k") {
      event.preventDefault(); // the browser's own Ctrl+K (its search box)
      open();
    }
  });
})();
