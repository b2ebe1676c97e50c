// Live updates (helpdesk/live.py): this tab follows the topics its regions show. A region names them in
// data-live ("conversation-12 ticket-9"), with the sequence number it was rendered at (data-live-since), and
// fetches itself again on the `live` event; a count in the nav (data-count="inbox-team-3") is updated in place.
// With push, one server-sent-events stream, opened again when the regions shown change; without it, a poll every
// few seconds. Either way the server first says which topics changed since the tab last knew them, so nothing is
// missed across a reconnect, and a region just swapped in is not fetched again for what it already shows.
(function () {
  "use strict";

  const config = document.getElementById("live");
  if (!config) return;
  const pageSince = Number(config.dataset.since) || 0;
  // What the open stream (or the last poll) has told this tab: every change to these topics up to `seq`.
  let heard = { topics: new Set(), seq: 0 };
  let following = "";
  let source = null;

  // Each topic shown, with the sequence number it is known up to: the oldest of the elements showing it.
  function shown() {
    const sinces = new Map();
    const note = (topic, element) => {
      const rendered = Number(element.dataset.liveSince ?? pageSince);
      const known = heard.topics.has(topic) ? Math.max(rendered, heard.seq) : rendered;
      sinces.set(topic, Math.min(known, sinces.get(topic) ?? known));
    };
    document.querySelectorAll("[data-live]").forEach((region) => {
      region.dataset.live.split(/\s+/).filter(Boolean).forEach((topic) => note(topic, region));
    });
    document.querySelectorAll("[data-count]").forEach((count) => note(`count-${count.dataset.count}`, count));
    return sinces;
  }

  const topicsOf = (sinces) => [...sinces.keys()].sort().join(" ");
  const query = (sinces) =>
    "?topics=" + encodeURIComponent([...sinces].map(([topic, since]) => `${topic}:${since}`).join(" "));

  function hear(topics, seq) {
    heard = { topics, seq: heard.topics === topics ? Math.max(heard.seq, seq) : seq };
    config.dataset.since = Math.max(Number(config.dataset.since) || 0, seq); // the browser tests wait on it
  }

  // A region that asks to (data-live-throttle, in ms: the lists, which every change in a busy workspace
  // reorders) refreshes at most that often, and once more after the last change. A region in a closed panel (the
  // bell's) is not fetched for nothing: opening the panel fetches it.
  const waiting = new WeakMap();
  function refresh(region) {
    if (region.closest("[hidden]")) return;
    const every = Number(region.dataset.liveThrottle) || 0;
    const state = waiting.get(region) || { last: 0, timer: null };
    waiting.set(region, state);
    const wait = state.last + every - Date.now();
    if (wait <= 0) {
      state.last = Date.now();
      htmx.trigger(region, "live");
    } else if (!state.timer) {
      state.timer = setTimeout(() => {
        state.timer = null;
        refresh(region);
      }, wait);
    }
  }

  function apply(change) {
    const counted = Object.entries(change.counts || {});
    for (const [list, total] of counted) {
      document.querySelectorAll(`[data-count="${CSS.escape(list)}"]`).forEach((count) => {
        count.textContent = total.toLocaleString("en-US");
        count.setAttribute("aria-label", `${count.textContent} open`);
      });
    }
    const topics = new Set(change.topics);
    // A count that changed while the tab was away (or is polled) comes without its total: the nav is fetched again.
    if (!counted.length && [...topics].some((topic) => topic.startsWith("count-"))) topics.add("nav");
    document.querySelectorAll("[data-live]").forEach((region) => {
      if (region.dataset.live.split(/\s+/).some((topic) => topics.has(topic))) refresh(region);
    });
  }

  function open() {
    const sinces = shown();
    const topics = new Set(sinces.keys());
    following = topicsOf(sinces);
    if (source) source.close();
    source = new EventSource(config.dataset.stream + query(sinces));
    source.addEventListener("change", (event) => {
      hear(topics, Number(event.lastEventId) || 0);
      apply(JSON.parse(event.data));
    });
  }

  async function poll() {
    if (document.hidden) return; // a hidden tab asks nothing; it catches up when shown
    const sinces = shown();
    try {
      const response = await fetch(config.dataset.poll + query(sinces), { credentials: "same-origin" });
      if (!response.ok) return;
      const change = await response.json();
      hear(new Set(sinces.keys()), change.seq);
      if (change.topics.length) apply(change);
    } catch (error) {
      // offline for a moment: the next poll catches up
    }
  }

  if (config.dataset.push === "1") {
    open();
    // Panes swapped in or out change what the tab shows: follow the new set.
    document.addEventListener("htmx:afterSettle", () => {
      if (topicsOf(shown()) !== following) open();
    });
    // The network went away: the stream is dead even if the browser has not noticed yet. Open it again when back.
    window.addEventListener("offline", () => source && source.close());
    window.addEventListener("online", open);
  } else {
    setInterval(poll, Number(config.dataset.pollMs) || 2000);
    document.addEventListener("visibilitychange", () => document.hidden || poll());
  }
})();
