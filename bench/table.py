"""Print the markdown table of a results file (default bench/results.json), e.g. for the README."""

import json
import sys
from pathlib import Path


def table(results: dict) -> str:
    size, machine = results["size"], results["machine"]
    lines = [
        f"Scale {results['scale']} ({size['conversations']:,} conversations, {size['parts']:,} parts, "
        f"{size['tickets']:,} tickets); {machine['cores']} cores, {machine['memory']} RAM, {machine['cpu']}; "
        f"measured {results.get('measured_at', '')}",
    ]
    if seeded := results.get("seed_seconds"):
        steps = ", ".join(f"{step.removesuffix('_s').replace('_', ' ')} {s:g}" for step, s in seeded.items())
        lines += ["", f"Seeded in {sum(seeded.values()):.0f} s (bench/seed.py; seconds per step: {steps})."]
    if "pages" in results:
        lines += ["", "| request (server time, ms) | p50 | p95 | p99 | queries |", "|---|---:|---:|---:|---:|"]
        for label, r in results["pages"].items():
            q = r["queries_min"] if r["queries_min"] == r["queries_max"] else f"{r['queries_min']}-{r['queries_max']}"
            lines.append(f"| {label} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {q} |")
        if lat := results.get("cross_post_latency_ms"):
            lines.append(
                f"| cross-post latency, note commit to visible in the conversation ({lat['n']} notes) "
                f"| {lat['p50']:.1f} | {lat['p95']:.1f} | {lat['p99']:.1f} | |"
            )
    if tp := results.get("throughput"):
        lines += [
            "",
            f"Throughput through gunicorn ({tp['web_workers']} workers, {tp['clients']} client threads, Celery "
            f"concurrency {tp['celery_concurrency']}), {tp['seconds']} s: **{tp['notes_per_second']} cross-posted "
            f"notes/s**, {tp['notes_posted_ok']} posted, {tp['http_errors']} errors, cross-posts delivered "
            f"{tp['cross_posts_delivered']}/{tp['notes_in_db']} (distinct {tp['cross_posts_distinct']}), "
            f"outbox drained {tp['drain_seconds_after_load']} s after the load; request p50/p95/p99 "
            f"{tp['request_ms']['p50']}/{tp['request_ms']['p95']}/{tp['request_ms']['p99']} ms.",
        ]
    if live := results.get("live"):
        lines += ["", *live_table(live)]
    if loads := results.get("page_loads"):
        lines += [
            "",
            f"Whole page loads through gunicorn ({loads['web_workers']} sync workers, {loads['clients']} client "
            f"threads in a closed loop, {loads['seconds']:g} s each; a page load is the page and what htmx fetches on "
            f"load before the page is idle):",
        ]
        for label, r in loads["pages"].items():
            ms = r["page_load_ms"]
            lines.append(
                f"- {label}: **{r['page_loads_per_s']} page loads/s**, {r['requests_per_page_load']:g} requests per "
                f"page load, page load p50/p95 {ms['p50']}/{ms['p95']} ms, gunicorn CPU "
                f"{r.get('server_cpu_ms_per_page_load', '?')} ms per page load, statuses {r['statuses']}"
            )
    if search := results.get("search"):
        lines += ["", *search_table(search)]
    if api := results.get("api"):
        lines += ["", *api_table(api)]
    if measured := results.get("measured"):
        took = ", ".join(f"{part} {m['seconds']} s" for part, m in measured.items())
        lines += ["", f"Bench parts took: {took}."]
    return "\n".join(lines)


def api_table(api: dict) -> list[str]:
    lines = [
        f"The JSON API (bench/api.py): {api['requests_each']} requests each, server time in-process, with a token "
        "(its lookup, rate-limit count and, for the POST, the Idempotency-Key included); the POST's last row with the "
        "Celery worker stopped (the request alone). Targets: GET p95 <= 10 ms, POST p95 <= 15 ms.",
        "",
        "| request | p50 ms | p95 ms | queries | met |",
        "|---|---|---|---|---|",
    ]
    for label, r in api["requests"].items():
        queries = (
            f"{r['queries_min']}" if r["queries_min"] == r["queries_max"] else f"{r['queries_min']}-{r['queries_max']}"
        )
        lines.append(f"| {label} | {r['p50']:.2f} | {r['p95']:.2f} | {queries} | {'yes' if r['met'] else '**no**'} |")
    return lines


SEARCH_WAYS = ("selector", "results (htmx)", "page")


def search_table(search: dict) -> list[str]:
    target = search["target"]
    lines = [
        f"Search (bench/search.py): first page, newest first, {search['runs_per_search']} runs of each, another word, "
        f"number or address each run; server time p50 / p95 in ms of the selector, of the results region htmx swaps "
        f"in and of the whole /search/ page, and their queries. Target: p95 <= {target['search_p95_ms']} ms with a "
        f"fixed query count.",
        "",
        "| search | selector | results (htmx) | page | queries | plan | met |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for label, r in search["searches"].items():
        cells = [f"{r[way]['p50']:.1f} / {r[way]['p95']:.1f}" for way in SEARCH_WAYS]
        queries = " / ".join(
            str(r[way]["queries"][0]) if r[way]["fixed_query_count"] else "-".join(map(str, r[way]["queries"]))
            for way in SEARCH_WAYS
        )
        plan = ", ".join(r.get("plans", ["trigram index"]))
        lines.append(
            f"| {label} (`{r['examples'][0]}`) | {' | '.join(cells)} | {queries} | {plan} "
            f"| {'yes' if r['met'] else '**no**'} |"
        )
    write = search["write"]
    on, off, alone = write["with_search_trigger_ms"], write["without_search_trigger_ms"], write["trigger_alone_ms"]
    lines += [
        "",
        f"Posting a part (an internal note through inbox.actions.post_note, {write['posts_per_arm']} notes each way, "
        f"in alternating batches of {write['batch']}): p50 / p95 {on['p50']:.2f} / {on['p95']:.2f} ms with the search "
        f"trigger, {off['p50']:.2f} / {off['p95']:.2f} ms without; **the search document costs "
        f"{write['cost_p50_ms']:+.2f} ms at p50, {write['cost_p95_ms']:+.2f} ms at p95** (target p95 "
        f"{target['write_cost_p95_ms']} ms: {'met' if write['met'] else '**not met**'}); the trigger alone (EXPLAIN "
        f"ANALYZE) {alone['p50']:.2f} / {alone['p95']:.2f} ms.",
    ]
    return lines


def live_table(live: dict) -> list[str]:
    runs = list(live.values())
    first = runs[0]

    def row(label: str, value) -> str:
        return f"| {label} | " + " | ".join(str(value(r)) for r in runs) + " |"

    def ms(key: str):
        return lambda r: f"{r[key]['p50']} / {r[key]['p95']} / {r[key]['p99']}"

    return [
        f"Live updates: tabs holding a server-sent-events stream to uvicorn ({first['uvicorn_workers']} workers), "
        f"{first['changes']} changes committed through the domain actions in {first['seconds']} s, published through "
        f"the outbox by a Celery worker; the first {first['tabs_showing_changes']} tabs show what changes, the others "
        f"other teams' lists and conversations.",
        "",
        "| live updates | " + " | ".join(f"{r['tabs']} tabs" for r in runs) + " |",
        "|---|" + "---:|" * len(runs),
        row("changes/s (achieved)", lambda r: r["changes_per_s"]),
        row("tabs notified per change", lambda r: r["deliveries_per_change"]),
        row("idle: requests per tab per min (stream renewals included)", lambda r: r["idle_requests_per_tab_per_min"]),
        row("idle: server CPU, ms per s", lambda r: r["idle"]["server_cpu_ms_per_s"]),
        row("under load: requests per tab per min (streams + region fetches)", lambda r: r["requests_per_tab_per_min"]),
        row("change to screen, ms p50 / p95 / p99", ms("change_to_screen_ms")),
        row("of which commit to publication (outbox, Celery), ms p50 / p95 / p99", ms("commit_to_publication_ms")),
        row("of which publication to screen (Redis, uvicorn), ms p50 / p95 / p99", ms("publication_to_screen_ms")),
        row("events to tabs not showing the change", lambda r: r["events_to_tabs_not_showing_it"]),
        row("deliveries missed", lambda r: r["deliveries_missed"]),
        row("server CPU per change, ms (uvicorn + Celery worker + Redis)", lambda r: r["server_cpu_ms_per_change"]),
        row(
            "of which uvicorn / Celery / Redis",
            lambda r: " / ".join(str(r["cpu_ms_per_change"][p]) for p in ("uvicorn", "celery", "redis")),
        ),
    ]


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "results.json")
    print(table(json.loads(path.read_text())))
