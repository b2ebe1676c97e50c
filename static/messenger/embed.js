/* The help desk's messenger on a company's website (README, "Messenger on your website"; inbox/embed.py).
 *
 * Loaded by the snippet of the admin's "Messenger installation" page:
 *   <script src="https://helpdesk.example.com/static/messenger/embed.js" async
 *     data-user-id="42" data-user-hash="…" data-issued-at="1767355200" data-name="Ada" data-email="ada@example.com"></script>
 * (no data- attributes: an anonymous visitor). Adds a "Messages" button to the page; the first click opens a panel
 * with a frame of the help desk, into which the identity is POSTed (never put in a URL, so it lands in no log or
 * history). No framework, no inline style or script: it runs under the website's own strict CSP, which must allow
 * the help desk in `frame-src` and `form-action`.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.helpdeskMessengerLoaded) return;
  window.helpdeskMessengerLoaded = true;

  var openUrl = new URL("/messenger/embed/", script.src).href;
  var data = script.dataset;
  var identity = {
    user_id: data.userId,
    user_hash: data.userHash,
    issued_at: data.issuedAt,
    name: data.name,
    email: data.email,
  };
  var frameName = "helpdesk-messenger-" + Math.random().toString(36).slice(2);
  var launcher, panel, closeButton, frame;

  function styled(element, rules) {
    // Through the CSSOM, which a strict style-src allows (a style attribute it would refuse).
    Object.keys(rules).forEach(function (name) {
      element.style[name] = rules[name];
    });
    return element;
  }

  function build() {
    launcher = styled(document.createElement("button"), {
      position: "fixed", right: "1.25rem", bottom: "1.25rem", zIndex: "2147483000",
      padding: "0.75rem 1.1rem", border: "0", borderRadius: "999px", background: "#1f4fd1", color: "#fff",
      font: "600 1rem/1.2 system-ui, sans-serif", boxShadow: "0 4px 16px rgba(0,0,0,.25)", cursor: "pointer",
    });
    launcher.type = "button";
    launcher.id = "helpdesk-messenger-launcher";
    launcher.textContent = "Messages";
    launcher.setAttribute("aria-haspopup", "dialog");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "helpdesk-messenger-panel");

    panel = styled(document.createElement("div"), {
      position: "fixed", right: "1.25rem", bottom: "4.75rem", zIndex: "2147483000",
      width: "min(26rem, calc(100vw - 2.5rem))", height: "min(40rem, calc(100vh - 6.5rem))",
      display: "flex", flexDirection: "column", background: "#fff", borderRadius: "12px",
      boxShadow: "0 8px 32px rgba(0,0,0,.3)", overflow: "hidden",
    });
    panel.id = "helpdesk-messenger-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "Messages");
    panel.hidden = true;
    panel.style.display = "none"; // `hidden` alone loses to the display set above

    closeButton = styled(document.createElement("button"), {
      alignSelf: "flex-end", margin: "0.25rem", padding: "0.25rem 0.6rem", border: "0", background: "transparent",
      font: "1rem system-ui, sans-serif", cursor: "pointer",
    });
    closeButton.type = "button";
    closeButton.textContent = "Close";
    closeButton.setAttribute("aria-label", "Close messages");
    panel.appendChild(closeButton);

    launcher.addEventListener("click", function () {
      if (panel.hidden) show();
      else hide();
    });
    closeButton.addEventListener("click", hide);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") hide();
    });
    document.body.appendChild(launcher);
    document.body.appendChild(panel);
  }

  function openFrame() {
    frame = styled(document.createElement("iframe"), { flex: "1", width: "100%", border: "0" });
    frame.name = frameName;
    frame.title = "Messages";
    panel.appendChild(frame);
    var form = document.createElement("form");
    form.method = "post";
    form.action = openUrl;
    form.target = frameName;
    form.hidden = true;
    Object.keys(identity).forEach(function (field) {
      if (!identity[field]) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = field;
      input.value = identity[field];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
    form.remove();
  }

  function show() {
    panel.hidden = false;
    panel.style.display = "flex";
    launcher.setAttribute("aria-expanded", "true");
    if (!frame) openFrame();
    frame.focus();
  }

  function hide() {
    panel.hidden = true;
    panel.style.display = "none";
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  if (document.body) build();
  else document.addEventListener("DOMContentLoaded", build);
})();
