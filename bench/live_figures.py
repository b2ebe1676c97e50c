"""The figures of a live run (bench/live.py): latencies from each change's commit, through its publication, to the
tabs that show it; events to tabs that do not; requests per tab; CPU per change."""

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from common import percentiles

if TYPE_CHECKING:
    from live_changes import Change
    from live_pages import Tab


def per_minute(count: int, tabs: int, seconds: float) -> float:
    return round(count / tabs / (seconds / 60), 3)


def figures(tabs: list["Tab"], changes: list["Change"], record: dict, windows: dict, *, cpu: tuple) -> dict:
    """The figures of one run, from the changes made and what the tabs recorded: which tab had to hear of which
    change (those showing a topic it touched), when each change was published and reached each of them, what
    else they heard, the requests they made, and the CPU time (snapshots before the idle window, before the
    changes, and after they all reached the tabs)."""
    from django.conf import settings

    n = len(tabs)
    topics_of = [tab.topics for tab in tabs]
    showing: dict[str, set[int]] = defaultdict(set)
    for i, topics in enumerate(topics_of):
        for topic in topics:
            showing[topic].add(i)

    # Each change's publication: the first after its commit that names its conversation or ticket.
    published: dict[str, list[tuple[float, int, set[str]]]] = defaultdict(list)
    publication_topics = {}
    for at, seq, topics in sorted(record["publications"]):
        publication_topics[seq] = set(topics)
        for topic in topics:
            published[topic].append((at, seq, set(topics)))
    changes_of: dict[int, list[int]] = defaultdict(list)
    published_at: dict[int, float] = {}
    publish_ms, unpublished = [], 0
    for k, change in enumerate(changes):
        key = min(change.target.keys)
        found = next(
            (
                (at, seq)
                for at, seq, topics in published[key]
                if at >= change.committed and change.target.keys <= topics
            ),
            None,
        )
        if found is None:
            unpublished += 1
            continue
        changes_of[found[1]].append(k)
        published_at[k] = found[0]
        publish_ms.append((found[0] - change.committed) * 1000)

    # Which tab must hear of which change: those showing a topic it touched.
    expected: dict[int, list[int]] = defaultdict(list)  # tab -> changes
    for k, change in enumerate(changes):
        for tab in set().union(*(showing.get(topic, set()) for topic in change.target.touched)):
            expected[tab].append(k)
    heard: dict[tuple[int, int], float] = {}
    not_showing = catch_ups = 0
    for tab, at, seq, topics, catch_up in sorted(record["events"], key=lambda e: e[1]):
        topics = set(topics)
        if not topics or not topics <= topics_of[tab] or not publication_topics.get(seq, topics) & topics_of[tab]:
            not_showing += 1
        if catch_up:  # what changed while the tab was away, in one message: every change to those topics before it
            catch_ups += 1
            for k in expected[tab]:
                if changes[k].committed < at and changes[k].target.touched & topics_of[tab] <= topics:
                    heard.setdefault((k, tab), at)
            continue
        for k in changes_of.get(seq, ()):
            heard.setdefault((k, tab), at)
    expected_sets = {tab: set(ks) for tab, ks in expected.items()}
    delivered = [(k, at) for (k, tab), at in heard.items() if k in expected_sets.get(tab, ())]
    delivered_ms = [(at - changes[k].committed) * 1000 for k, at in delivered]
    # The push's own share: from the publication (as a subscriber of the channel heard it) to the tab.
    pushed_ms = [(at - published_at[k]) * 1000 for k, at in delivered if k in published_at]
    deliveries = sum(len(ks) for ks in expected.values())

    idle_from, idle_to = windows["idle"]
    load_from, load_to = windows["load"]

    def requests(tab_ids: set[int], start: float, end: float) -> int:
        streams = sum(1 for tab, at, _ in record["streams"] if tab in tab_ids and start <= at < end)
        return streams + sum(1 for tab, at, _ in record["refreshes"] if tab in tab_ids and start <= at < end)

    everyone = set(range(n))
    idle_s, load_s = idle_to - idle_from, load_to - load_from
    renewals = 60 / settings.LIVE_STREAM_SECONDS
    idle_measured = per_minute(requests(everyone, idle_from, idle_to), n, idle_s)
    by_view = defaultdict(set)
    for i, tab in enumerate(tabs):
        by_view[tab.view].add(i)
    cpu0, cpu1, cpu2 = cpu
    server = ("uvicorn", "celery", "redis")
    load_cpu = {name: (cpu2[name] - cpu1[name]) * 1000 / len(changes) for name in cpu2}
    fetched = record["fetched"]
    return {
        "tabs": n,
        "tabs_showing_changes": sum(1 for tab in tabs if tab.hot),
        "views": dict(Counter(tab.view for tab in tabs)),
        "topics_per_tab": percentiles([len(t) for t in topics_of]),
        "streams_opened_in_s": round(windows["opened_s"], 1),
        "idle_seconds": round(idle_s, 1),
        "idle_requests_per_tab_per_min": round(idle_measured + renewals, 3),
        "idle": {
            "requests_per_tab_per_min_measured": idle_measured,
            "stream_renewals_per_tab_per_min": round(renewals, 3),
            "keep_alives_per_tab_per_min": per_minute(
                sum(1 for _, at in record["keep_alives"] if idle_from <= at < idle_to), n, idle_s
            ),
            "server_cpu_ms_per_s": round(sum(cpu1[p] - cpu0[p] for p in server) * 1000 / idle_s, 2),
            "cpu_ms_per_s": {name: round((cpu1[name] - cpu0[name]) * 1000 / idle_s, 2) for name in cpu1},
        },
        "seconds": round(windows["changes_s"], 1),
        "changes": len(changes),
        "changes_per_s": round(len(changes) / windows["changes_s"], 2),
        "changes_by_action": dict(Counter(change.action for change in changes)),
        "deliveries_per_change": round(deliveries / len(changes), 2),
        "requests_per_tab_per_min": per_minute(requests(everyone, load_from, load_to), n, load_s),
        "requests_per_tab_per_min_by_view": {
            view: per_minute(requests(ids, load_from, load_to), len(ids), load_s) for view, ids in by_view.items()
        },
        "change_to_screen_ms": percentiles(delivered_ms),
        "commit_to_publication_ms": percentiles(publish_ms),
        "publication_to_screen_ms": percentiles(pushed_ms),
        "events_received": len(record["events"]),
        "events_to_tabs_not_showing_changes": sum(1 for tab, *_ in record["events"] if not tabs[tab].hot),
        "catch_up_events": catch_ups,
        "events_to_tabs_not_showing_it": not_showing,
        "deliveries_missed": deliveries - len(delivered_ms),
        "changes_not_published": unpublished,
        "server_cpu_ms_per_change": round(sum(load_cpu[p] for p in server), 2),
        "server_cpu_includes": "uvicorn (its workers), the Celery worker (parent and pool), the bench's redis-server; "
        "not PostgreSQL, nor gunicorn (the sampled region fetches), the tabs or the bench making the changes (listed "
        "beside them in cpu_ms_per_change)",
        "cpu_ms_per_change": {name: round(value, 2) for name, value in load_cpu.items()},
        "region_fetches_performed": {
            "n": len(fetched),
            "statuses": dict(Counter(str(status) for *_, status, _ in fetched)),
            "ms": percentiles([ms for _, _, ms, _, _ in fetched]),
        },
        "stream_errors": len(record["errors"]),
        "first_errors": record["errors"][:5],
    }
