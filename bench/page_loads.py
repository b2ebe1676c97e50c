"""Whole page loads per second through gunicorn: a page load is the page and every request the browser makes before
it is idle, that is what htmx fetches on load (elements whose hx-trigger has `load`, and those that what they bring
in has; bench/hx.py), read from the HTML returned, whatever it says. Static files are left out (cached after the
first page), and so is the live stream (it stays open: it is not part of loading the page).

Env: BENCH_PAGE_LOAD_SECONDS (per page, default 20), BENCH_PAGE_LOAD_CLIENTS (client threads in a closed loop,
     default 4), BENCH_PAGE_LOAD_WORKERS (gunicorn sync workers, default 2).
"""

import http.client
import os
import random
import sys
import threading
import time
from collections import Counter

import hx
import owned
from common import BENCH, percentiles
from procs import cpu_seconds, gunicorn

SECONDS = float(os.environ.get("BENCH_PAGE_LOAD_SECONDS", "20"))
CLIENTS = int(os.environ.get("BENCH_PAGE_LOAD_CLIENTS", "4"))
WORKERS = int(os.environ.get("BENCH_PAGE_LOAD_WORKERS", "2"))


def pages(back_office_tickets: int) -> dict:
    """The pages, as measure_pages opens them: conversation 10 j - 9 has back-office ticket j beside it."""
    return {
        "inbox, a conversation open (/inbox/all/<id>/)": lambda rng: (
            f"/inbox/all/{10 * rng.randint(1, back_office_tickets) - 9}/"
        ),
        "back-office ticket (/tickets/team-<t>/<id>/)": lambda rng: (
            f"/tickets/team-{rng.randint(1, 50)}/{rng.randint(1, back_office_tickets)}/"
        ),
    }


def load_pages(cookie: str, make_url, stop_at: float, seed: int) -> list[tuple[float, int, list[int]]]:
    """One client in a closed loop: page loads until `stop_at`, each as (ms, requests, statuses)."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(BENCH.web_host, BENCH.web_port, timeout=30)
    loads = []

    def get(url: str, target: str | None) -> tuple[int, str]:
        nonlocal conn
        headers = {"Cookie": cookie}
        if target is not None:  # what htmx sends with its requests
            headers |= {"HX-Request": "true", "HX-Target": target}
        try:
            conn.request("GET", url, headers=headers)
            response = conn.getresponse()
            return response.status, response.read().decode()
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(BENCH.web_host, BENCH.web_port, timeout=30)
            return 0, ""

    while time.monotonic() < stop_at:
        started = time.perf_counter()
        loaded = hx.page_load(get, make_url(rng))
        loads.append(((time.perf_counter() - started) * 1000, len(loaded), [status for _, status, _ in loaded]))
    conn.close()
    return loads


def closed_loop(cookie: str, make_url, web_group: int) -> dict:
    """CLIENTS threads loading pages one after the other for SECONDS; with the CPU time gunicorn (its workers) and
    the clients (this process) spent per page load, to tell which of them set the pace."""
    per_client: list[list] = [[] for _ in range(CLIENTS)]
    web_cpu, client_cpu = cpu_seconds(groups=[web_group]), time.process_time()
    stop_at = time.monotonic() + SECONDS
    started = time.monotonic()

    def client(i: int) -> None:
        per_client[i] = load_pages(cookie, make_url, stop_at, seed=i + 1)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    web_cpu, client_cpu = cpu_seconds(groups=[web_group]) - web_cpu, time.process_time() - client_cpu
    loads = [load for loads in per_client for load in loads]
    requests = Counter(n for _, n, _ in loads)
    return {
        "page_loads": len(loads),
        "page_loads_per_s": round(len(loads) / elapsed, 1),
        "requests_per_page_load": round(sum(n * k for n, k in requests.items()) / max(len(loads), 1), 2),
        "requests_per_page_load_counts": {str(n): k for n, k in sorted(requests.items())},
        "page_load_ms": percentiles([ms for ms, _, _ in loads]),
        "statuses": dict(Counter(str(status) for *_, each in loads for status in each)),
        "server_cpu_ms_per_page_load": round(web_cpu * 1000 / max(len(loads), 1), 1),
        "client_cpu_ms_per_page_load": round(client_cpu * 1000 / max(len(loads), 1), 1),
    }


def measure_page_loads(cookie: str, back_office_tickets: int) -> dict:
    if owned.port_in_use(BENCH.web_host, BENCH.web_port):
        sys.exit(f"bench: {BENCH.web_host}:{BENCH.web_port} is in use by something the bench did not start")
    print(
        f"page loads: {CLIENTS} clients -> gunicorn ({WORKERS} sync workers), {SECONDS:.0f} s per page ...",
        file=sys.stderr,
    )
    web = gunicorn(host=BENCH.web_host, port=BENCH.web_port, workers=WORKERS).start()
    results: dict = {"web_workers": WORKERS, "clients": CLIENTS, "seconds": SECONDS, "pages": {}}
    try:
        for label, make_url in pages(back_office_tickets).items():
            load_pages(cookie, make_url, time.monotonic() + 1, seed=0)  # warm-up: connections, template caches
            result = results["pages"][label] = closed_loop(cookie, make_url, web.process.pid)
            print(
                f"  {label:<48} {result['page_loads_per_s']:>6} page loads/s, "
                f"{result['requests_per_page_load']} requests each, p50 {result['page_load_ms']['p50']} ms, CPU per "
                f"page load: gunicorn {result['server_cpu_ms_per_page_load']} ms, clients "
                f"{result['client_cpu_ms_per_page_load']} ms {result['statuses']}",
                file=sys.stderr,
            )
    finally:
        web.stop()
    return results
