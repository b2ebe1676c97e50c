"""Open browser tabs, simulated: each holds the live stream of the topics its page shows, as static/js/live.js does
with an EventSource (one request; opened again `retry` ms after it ends, with Last-Event-ID), and on each change
refreshes the regions showing a changed topic (live.js's `apply` and its per-region throttle), counting those
requests and performing them for the tabs marked `fetch`. Also listens to the live channel itself, to know when
each publication left the worker. Records every request, event and keep-alive with its wall-clock time.

Raw HTTP/1.1 over asyncio streams, no Django: it runs as its own process (bench/live.py starts it), so that its
event loop is not held up by the bench's own work. Protocol: reads a JSON spec file, prints `ready` once every tab
has its stream open, then runs until a line `stop` on stdin; writes what it recorded to the output file.

Usage: live_tabs.py SPEC.json OUT.json
"""

import asyncio
import json
import sys
import time
from urllib.parse import quote

RECONNECT_MS = 2000  # the stream's `retry:` (helpdesk/live_views.py), which EventSource also defaults to (~3 s)


class Recorder:
    def __init__(self) -> None:
        self.streams: list[tuple[int, float, int]] = []  # tab, time, status (0: could not connect)
        self.events: list[tuple[int, float, int, list[str], bool]] = []  # tab, time, seq, topics, catch-up
        self.keep_alives: list[tuple[int, float]] = []
        self.refreshes: list[tuple[int, float, int]] = []  # tab, time, region: a region fetch the tab makes
        self.fetched: list[tuple[int, float, float, int, int]] = []  # tab, time, ms, status, bytes (performed)
        self.publications: list[tuple[float, int, list[str]]] = []  # time heard on the channel, seq, topics
        self.errors: list[str] = []


async def read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("the server closed the connection before answering")
    status = int(status_line.split()[1])
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers


async def read_body(reader: asyncio.StreamReader, headers: dict[str, str]):
    """The body's bytes as they come: chunked (a stream), by Content-Length, or up to the connection's end."""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await reader.readline()
                return
            data = await reader.readexactly(size)
            await reader.readexactly(2)
            yield data
    elif "content-length" in headers:
        if length := int(headers["content-length"]):
            yield await reader.readexactly(length)
    else:
        while data := await reader.read(65536):
            yield data


def request_bytes(path: str, *, host: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Tab:
    def __init__(self, spec: dict, sim: "Simulator") -> None:
        self.id: int = spec["id"]
        self.sinces: dict[str, int] = spec["sinces"]
        self.regions: list[dict] = spec["regions"]
        self.fetch: bool = spec["fetch"]
        self.cookie: str = spec["cookie"]
        self.sim = sim
        self.opened = asyncio.Event()
        self.last_id = ""
        self.throttle: dict[int, dict] = {}

    def stream_path(self) -> str:
        # As live.js's query(): every topic with the sequence number it is known up to.
        topics = " ".join(f"{topic}:{since}" for topic, since in self.sinces.items())
        return f"{self.sim.spec['stream_path']}?topics={quote(topics)}"

    async def follow(self) -> None:
        """What EventSource does: one request, read events as they come; when it ends, wait `retry` and ask again."""
        sim, spec = self.sim, self.sim.spec
        while not sim.stopping:
            headers = {"Cookie": self.cookie, "Accept": "text/event-stream", "Cache-Control": "no-cache"}
            if self.last_id:
                headers["Last-Event-ID"] = self.last_id
            writer = None
            try:
                async with sim.connecting:
                    reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
                    writer.write(request_bytes(self.stream_path(), host=spec["host"], headers=headers))
                    status, head = await read_head(reader)
                sim.record.streams.append((self.id, time.time(), status))
                if status != 200:
                    sim.record.errors.append(f"tab {self.id}: stream answered {status}")
                else:
                    await self.read_events(reader, head)
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
                if not sim.stopping:
                    sim.record.streams.append((self.id, time.time(), 0))
                    sim.record.errors.append(f"tab {self.id}: {type(error).__name__}: {error}")
            finally:
                if writer is not None:
                    writer.close()
            if not sim.stopping:
                await asyncio.sleep(RECONNECT_MS / 1000)

    async def read_events(self, reader: asyncio.StreamReader, head: dict[str, str]) -> None:
        buffer = b""
        async for data in read_body(reader, head):
            buffer += data
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                self.dispatch(block.decode())

    def dispatch(self, block: str) -> None:
        now = time.time()
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            if line.startswith(":"):
                self.sim.record.keep_alives.append((self.id, now))
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        if "id" in fields:
            self.last_id = fields["id"]
        if "retry" in fields:
            self.opened.set()  # the stream's first line: the tab follows its topics from here
        if fields.get("event") == "change":
            change = json.loads(fields["data"])
            self.sim.record.events.append(
                (self.id, now, int(fields.get("id") or 0), change["topics"], change["catchUp"])
            )
            self.apply(change)

    def apply(self, change: dict) -> None:
        """live.js's apply(): the regions showing a changed topic refresh (a count that comes without its total makes
        the nav refresh); nav counts that come with their totals are updated in place, without a request."""
        topics = set(change["topics"])
        if not change.get("counts") and any(topic.startswith("count-") for topic in topics):
            topics.add("nav")
        for index, region in enumerate(self.regions):
            if topics.intersection(region["topics"]):
                self.refresh(index)

    def refresh(self, index: int) -> None:
        """live.js's refresh(): at most once per data-live-throttle, and once more after the last change."""
        region, loop = self.regions[index], asyncio.get_running_loop()
        state = self.throttle.setdefault(index, {"last": 0.0, "timer": None})
        wait = state["last"] + region["throttle_ms"] / 1000 - loop.time()
        if wait <= 0:
            state["last"] = loop.time()
            self.sim.record.refreshes.append((self.id, time.time(), index))
            if self.fetch:
                self.sim.tasks.add(asyncio.ensure_future(self.perform(region)))
        elif state["timer"] is None:

            def again() -> None:
                state["timer"] = None
                self.refresh(index)

            state["timer"] = loop.call_later(wait, again)

    async def perform(self, region: dict) -> None:
        """The region's request, as htmx sends it, to the web server (not the stream's)."""
        web = self.sim.spec["web"]
        headers = {"Cookie": self.cookie, "HX-Request": "true", "HX-Target": region["target"], "Connection": "close"}
        started, status, size = time.time(), 0, 0
        writer = None
        try:
            reader, writer = await asyncio.open_connection(web["host"], web["port"])
            writer.write(request_bytes(region["url"], host=web["host"], headers=headers))
            status, head = await read_head(reader)
            async for data in read_body(reader, head):
                size += len(data)
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
            self.sim.record.errors.append(f"tab {self.id} fetch {region['url']}: {type(error).__name__}: {error}")
        finally:
            if writer is not None:
                writer.close()
        self.sim.record.fetched.append((self.id, started, (time.time() - started) * 1000, status, size))


class Simulator:
    def __init__(self, spec: dict) -> None:
        self.spec = spec
        self.record = Recorder()
        self.stopping = False
        self.connecting = asyncio.Semaphore(spec.get("connect_concurrency", 50))  # tabs do not all open at once
        self.tabs = [Tab(tab, self) for tab in spec["tabs"]]
        self.tasks: set[asyncio.Future] = set()

    async def listen(self, subscribed: asyncio.Event) -> None:
        """The publications themselves, as the web processes' hubs hear them: when each left the worker."""
        import redis.asyncio

        client = redis.asyncio.Redis(host=self.spec["redis"]["host"], port=self.spec["redis"]["port"])
        async with client.pubsub() as pubsub:
            await pubsub.subscribe(self.spec["channel"])
            subscribed.set()
            async for message in pubsub.listen():
                if message["type"] == "message":
                    data = json.loads(message["data"])
                    self.record.publications.append((time.time(), int(data["seq"]), data["topics"]))

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        subscribed = asyncio.Event()
        listener = loop.create_task(self.listen(subscribed))
        await asyncio.wait_for(subscribed.wait(), timeout=30)
        followers = [loop.create_task(tab.follow()) for tab in self.tabs]
        opened = asyncio.gather(*(tab.opened.wait() for tab in self.tabs))
        await asyncio.wait_for(opened, timeout=self.spec.get("open_timeout", 300))
        print("ready", flush=True)
        while (await loop.run_in_executor(None, sys.stdin.readline)).strip() not in ("stop", ""):
            pass
        self.stopping = True
        for task in [*followers, listener]:
            task.cancel()
        await asyncio.gather(*followers, listener, return_exceptions=True)
        await asyncio.gather(*self.tasks, return_exceptions=True)


def main() -> None:
    spec_path, out_path = sys.argv[1:3]
    with open(spec_path) as spec_file:
        simulator = Simulator(json.load(spec_file))
    asyncio.run(simulator.run())
    with open(out_path, "w") as out:
        json.dump(vars(simulator.record), out)
    print("done", flush=True)


if __name__ == "__main__":
    main()
