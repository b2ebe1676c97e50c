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
        "",
        "| request (server time, ms) | p50 | p95 | p99 | queries |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, r in results["pages"].items():
        q = r["queries_min"] if r["queries_min"] == r["queries_max"] else f"{r['queries_min']}-{r['queries_max']}"
        lines.append(f"| {label} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {q} |")
    lat = results["cross_post_latency_ms"]
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
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "results.json")
    print(table(json.loads(path.read_text())))
