// Saved replies in the composers (inbox/saved_replies/). Loaded from our own origin (strict CSP, no inline code).
//
// The contract, for the command palette and any other script:
// - A composer is a <form data-saved-replies="/saved-replies/" data-saved-replies-for="conversation=12"> (or
//   "ticket=7", with data-saved-replies-kind="note": a ticket takes internal notes only) around a
//   <textarea data-composer>.
// - Typing "/" at the start of the text or after a space lists the saved replies whose name holds what follows it
//   (GET {base}options/?q=…&kind=…: <li role="option" data-saved-reply="id">, the shared ones and the teammate's
//   own), narrowed as one types: Up and Down choose, Enter (or Tab, or a click) inserts, Escape closes.
// - Inserting reads GET {base}{id}/render/?conversation=12 (or ?ticket=7): JSON {id, name, kind, body, effects,
//   ticket}, its placeholders filled in by the server, or {error} with a 4xx. `body` replaces the "/query" (or goes
//   at the caret); the composer switches to the saved reply's kind (reply or note); effects ("close · assign to me")
//   ride along in the composer's hidden `saved_reply` field with a "Will also: …" chip, removable, and the server
//   applies them with the message when it is sent.
// - document.dispatchEvent(new CustomEvent("insert-saved-reply", {detail: {id: 5}})) inserts saved reply 5 into the
//   composer that has the focus, else the one focused last, else the first one shown (the conversation's).
// - Typing "@" in an internal note (a ticket's composer, or the conversation's with "Note" chosen) lists the
//   teammates and teams to mention (GET {data-mentions}?q=…: <li role="option" data-mention="handle">), and choosing
//   one writes "@handle " in place of what was typed; the server notifies whom a note mentions (inbox/mentions.py).
// Accessibility: the textarea stays a textbox (a textarea may not take the combobox role, and a textbox may not
// carry aria-expanded: axe-core's aria-allowed-role and aria-allowed-attr). It names the list it drives with
// aria-controls, aria-autocomplete="list" and aria-activedescendant, and a status line says how many match.
(function () {
  "use strict";

  const FORM = "form[data-saved-replies]";
  let open = null; // the list shown: {textarea, form, popup, status, start, query, options, active, loading, controller}
  let lastComposer = null;
  let inserting = false;

  const composerOf = (el) => (el && el.matches && el.matches("[data-composer]") && el.closest(FORM) ? el : null);
  const announce = (text) => window.helpdesk && window.helpdesk.announce(text, 8000);
  const caret = (textarea) => [textarea.selectionStart, textarea.selectionEnd];

  // A note, not a reply: only a note may mention teammates (a reply reaches the customer).
  function isNote(form) {
    const kind = form.querySelector('input[name="kind"]:checked');
    return form.dataset.savedRepliesKind === "note" || (kind && kind.value === "note");
  }

  // "/" (or "@" in a note) and what follows it up to the caret, when it starts the text or follows a space.
  function slashQuery(textarea) {
    const end = textarea.selectionStart;
    if (end !== textarea.selectionEnd) return null;
    const match = /(^|\s)([/@])(\S{0,100})$/.exec(textarea.value.slice(0, end));
    if (!match) return null;
    const form = textarea.closest(FORM);
    if (match[2] === "@" && !(form.dataset.mentions && isNote(form))) return null;
    return { start: end - match[3].length - 1, query: match[3], trigger: match[2] };
  }

  function parts(textarea) {
    let popup = textarea.parentElement.querySelector(".saved-reply-popup");
    if (!popup) {
      popup = Object.assign(document.createElement("div"), { className: "saved-reply-popup", hidden: true });
      const status = Object.assign(document.createElement("p"), { className: "visually-hidden saved-reply-status" });
      status.setAttribute("role", "status");
      textarea.after(popup, status);
    }
    return { popup, status: popup.nextElementSibling };
  }

  function start(textarea, found) {
    if (open && open.textarea === textarea) return Object.assign(open, found);
    close();
    open = { textarea, form: textarea.closest(FORM), ...parts(textarea), ...found, options: [], active: -1 };
    open.loading = Promise.resolve();
    textarea.setAttribute("aria-autocomplete", "list");
    return open;
  }

  function load(state) {
    if (state.controller) state.controller.abort();
    state.controller = new AbortController();
    const params = new URLSearchParams({ q: state.query });
    if (state.form.dataset.savedRepliesKind) params.set("kind", state.form.dataset.savedRepliesKind);
    const url =
      state.trigger === "@"
        ? `${state.form.dataset.mentions}?${new URLSearchParams({ q: state.query })}`
        : `${state.form.dataset.savedReplies}options/?${params}`;
    state.loading = fetch(url, { credentials: "same-origin", signal: state.controller.signal })
      .then((response) => (response.ok && !response.redirected ? response.text() : "")) // signed out: nothing
      .then((html) => open === state && show(state, html))
      .catch(() => {});
  }

  function show(state, html) {
    const { popup, textarea } = state;
    popup.innerHTML = html; // our own partial: every name in it is escaped by the template
    const listbox = popup.querySelector("[role='listbox']");
    state.options = listbox ? Array.from(listbox.querySelectorAll("[role='option']")) : [];
    if (listbox) {
      listbox.id = `${textarea.id}-saved-replies`;
      state.options.forEach((option, index) => (option.id = `${listbox.id}-${index}`));
      textarea.setAttribute("aria-controls", listbox.id);
    } else {
      textarea.removeAttribute("aria-controls");
    }
    popup.hidden = false;
    setActive(state, state.options.length ? 0 : -1);
    const count = state.options.length;
    const what = state.trigger === "@" ? ["teammate or team", "teammates and teams"] : ["saved reply", "saved replies"];
    state.status.textContent = count
      ? `${count} ${count === 1 ? what[0] : what[1]}: Up and Down to choose, Enter to insert, Escape to close.`
      : `No ${what[0]} matches.`;
  }

  function setActive(state, index) {
    state.active = index;
    state.options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    const option = state.options[index];
    if (option) {
      state.textarea.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      state.textarea.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    if (!open) return;
    const { textarea, popup, status, controller } = open;
    open = null;
    if (controller) controller.abort();
    popup.hidden = true;
    popup.replaceChildren();
    status.textContent = "";
    ["aria-activedescendant", "aria-controls"].forEach((name) => textarea.removeAttribute(name));
  }

  // Settled once the list shows what was typed last (a newer query may start while one loads).
  function settled(state) {
    const loading = state.loading;
    return loading.then(() => (loading === state.loading ? undefined : settled(state)));
  }

  function choose(state, option) {
    const { textarea, start: from, trigger } = state;
    const to = textarea.selectionStart;
    close();
    if (trigger === "@") {
      replaceText(textarea, from, to, `@${option.dataset.mention} `);
      announce(`Mentioned ${option.dataset.label}.`);
    } else {
      insert(textarea, option.dataset.savedReply, { from, to, typed: textarea.value.slice(from, to) });
    }
  }

  // Put saved reply `id`, filled in on the server, into the composer: in place of the "/query" typed (when it is
  // still there), or at the caret.
  function insert(textarea, id, range) {
    const form = textarea.closest(FORM);
    const url = `${form.dataset.savedReplies}${encodeURIComponent(id)}/render/?${form.dataset.savedRepliesFor}`;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => response.json().then((data) => ({ ok: response.ok, data })))
      .then(({ ok, data }) => {
        if (!ok) return announce(data.error || "That saved reply could not be inserted.");
        const still = range && textarea.value.slice(range.from, range.to) === range.typed;
        const from = still ? range.from : textarea.selectionStart;
        replaceText(textarea, from, still ? range.to : textarea.selectionEnd, data.body);
        const radio = form.querySelector(`input[name="kind"][value="${data.kind}"]`);
        if (radio) radio.checked = true;
        const carried = carryEffects(form, data);
        announce(`Inserted “${data.name}”${carried ? `; sending it will also ${data.effects}` : ""}.`);
      })
      .catch(() => announce("That saved reply could not be inserted. Try again in a moment."));
  }

  function replaceText(textarea, from, to, text) {
    textarea.focus();
    textarea.setSelectionRange(from, to);
    inserting = true;
    const done = document.execCommand("insertText", false, text); // keeps the browser's undo (Ctrl+Z)
    inserting = false;
    if (!done) textarea.setRangeText(text, from, to, "end");
  }

  function carryEffects(form, data) {
    const box = form.querySelector("[data-saved-reply-effects]");
    if (!box || !data.effects) return false; // a ticket's note has none; one without effects keeps earlier ones
    box.querySelector("input[name='saved_reply']").value = data.id;
    box.querySelector("[data-saved-reply-effects-label]").textContent = data.effects;
    box.hidden = false;
    return true;
  }

  document.addEventListener("input", (event) => {
    const textarea = composerOf(event.target);
    if (!textarea || inserting) return;
    const found = slashQuery(textarea);
    if (found) load(start(textarea, found));
    else if (open && open.textarea === textarea) close();
  });

  // Captured, so that the list's keys never reach app.js's shortcuts (Escape there leaves the composer).
  document.addEventListener(
    "keydown",
    (event) => {
      const state = open;
      if (!state || event.target !== state.textarea || event.altKey || event.ctrlKey || event.metaKey) return;
      const count = state.options.length;
      if ((event.key === "ArrowDown" || event.key === "ArrowUp") && count) {
        setActive(state, (state.active + (event.key === "ArrowDown" ? 1 : -1) + count) % count);
      } else if (event.key === "Escape") {
        close();
      } else if ((event.key === "Enter" || (event.key === "Tab" && count)) && !event.shiftKey && slashQuery(state.textarea)) {
        // The list may still be loading what was just typed: choose from it once it shows that.
        settled(state).then(() => {
          if (open !== state) return;
          const option = state.options[state.active];
          if (option) choose(state, option);
          else if (event.key === "Enter") replaceText(state.textarea, ...caret(state.textarea), "\n");
        });
      } else {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
    },
    true,
  );

  // A click on an option inserts it; pressing the mouse on the list keeps the focus (and the caret) in the composer.
  document.addEventListener("mousedown", (event) => {
    if (event.target.closest(".saved-reply-popup")) event.preventDefault();
  });
  document.addEventListener("click", (event) => {
    const option = event.target.closest(".saved-reply-popup [role='option']");
    if (option && open && open.popup.contains(option)) choose(open, option);
    const remove = event.target.closest("[data-saved-reply-effects-remove]");
    if (remove) {
      const box = remove.closest("[data-saved-reply-effects]");
      box.querySelector("input[name='saved_reply']").value = "";
      box.hidden = true;
      const textarea = box.closest(FORM).querySelector("[data-composer]");
      if (textarea) textarea.focus();
      announce("The saved reply's effects are removed: sending posts the text alone.");
    }
  });

  document.addEventListener("focusin", (event) => {
    if (composerOf(event.target)) lastComposer = event.target;
  });
  document.addEventListener("focusout", (event) => {
    if (open && event.target === open.textarea) close();
  });

  function targetComposer() {
    const shown = (el) => el && el.isConnected && el.offsetParent !== null;
    const focused = composerOf(document.activeElement);
    if (focused) return focused;
    if (shown(lastComposer)) return lastComposer;
    return Array.from(document.querySelectorAll(`${FORM} [data-composer]`)).find(shown) || null;
  }

  document.addEventListener("insert-saved-reply", (event) => {
    const textarea = targetComposer();
    const id = event.detail && event.detail.id;
    if (!textarea) announce("There is no composer here to insert a saved reply into: open a conversation first.");
    else if (id) insert(textarea, id, null);
  });
})();
