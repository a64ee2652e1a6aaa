#!/usr/bin/env python3
"""The edge tier (deploy/edge) under load, on loopback: docs/benchmarks.md section 10.

vod:  random 1 MiB ranges of a 512 MiB file (wrk, benchmarks/load/ranges.lua) through one edge in front of one media
      server, cold (an empty cache) then warm, for each slice size given; and nginx serving the same file from disk.
live: one media server takes a live channel (ffmpeg test pattern pushed with PUT), two edges in front of it; K
      LL-HLS viewers (asyncio, raw HTTP/1.1 keep-alive) spread over the edges and a few direct viewers each loop:
      blocking playlist reload for the hinted part, then GET the part; a few of the edges' viewers also GET each
      segment once it is complete. Reports how many times the origin served each part, segment and blocking playlist
      to the edges (from its request log) and each viewer's delivery time of the part minus the earliest direct
      viewer's playlist answer for it (the part's publication as a client sees it). --engines runs the same viewers
      through nginx edges (edge.conf.template) and Varnish live edges (live.vcl.template, varnish.sh) in turn, --rounds
      times, on the same origin and channel, so each engine's rows come from the same minutes.

    benchmarks/load/edge.py vod [--slices 256k,1m,4m] [--seconds 8] [--connections 16] [--rounds 2]
    benchmarks/load/edge.py live [--viewers 1000] [--direct 10] [--seconds 30] [--mbps 20] [--engines nginx,varnish] [--rounds 2]
Requires ./build.sh samples, nginx (nginx-light), varnish, wrk, ffmpeg. Everything started is stopped by its id.
"""
import argparse
import asyncio
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import HERE, ROOT, dll, free_port, process_cpu_seconds, server_commands

RENDER = ROOT / "deploy" / "edge" / "render.sh"
VARNISH = ROOT / "deploy" / "edge" / "varnish.sh"


def start_origin(media, port, log, level="Warning"):
    return subprocess.Popen(["dotnet", dll("MediaServer"), "--port", str(port), "--ingest-port", str(free_port()),
                             "--media", str(media), "--cache-size", "2G", "--log-level", level],
                            stdout=log, stderr=subprocess.STDOUT)


def start_edge(scratch, origins, port, slice_size="1m", workers="auto"):
    prefix = Path(tempfile.mkdtemp(prefix="edge-", dir=scratch))
    os.chmod(prefix, 0o755)
    (prefix / "tmp").mkdir()
    (prefix / "cache").mkdir()
    args = ["bash", str(RENDER), "--listen", f"127.0.0.1:{port}", "--slice", slice_size, "--workers", workers,
            "--cache-size", "4g"]
    for origin in origins:
        args += ["--origin", f"127.0.0.1:{origin}"]
    conf = prefix / "edge.conf"
    conf.write_text(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    return subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=open(prefix / "nginx.log", "w"))


def start_live_edge(scratch, origins, port, params=(), threads=300):
    """A Varnish live edge, as deploy/edge/varnish.sh runs one (varnishd in the foreground, its own working directory),
    with extra varnishd parameters (NAME=VALUE)."""
    workdir = Path(tempfile.mkdtemp(prefix="live-", dir=scratch))
    os.chmod(workdir, 0o755)
    args = ["bash", str(VARNISH), "--workdir", str(workdir), "--listen", f"127.0.0.1:{port}", "--threads", str(threads)]
    for param in params:
        args += ["--param", param]
    for origin in origins:
        args += ["--origin", f"127.0.0.1:{origin}"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(workdir / "varnishd.log", "w"))


def wait_http(port, path="/hls.min.js", timeout=60):
    import urllib.request
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
                if r.status < 500:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def stop(processes):
    for p in reversed(processes):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in processes:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


def uptime():
    return open("/proc/loadavg").read().split()[:3]


def wrk(port, path, size, connections, seconds):
    env = dict(os.environ, URL_PATH=path, FILE_SIZE=str(size), RANGE_SIZE=str(1 << 20))
    client_cpu()  # children reaped before (a stopped edge) are not the client
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s",
                          "-s", str(HERE / "ranges.lua"), f"http://127.0.0.1:{port}/"],
                         env=env, capture_output=True, text=True, timeout=seconds + 60)
    line = next(l for l in out.stdout.splitlines() if l.startswith("RESULT "))
    r = json.loads(line[len("RESULT "):])
    if r["status_errors"] or r["bytes"] > r["requests"] * ((1 << 20) + 4096):
        raise RuntimeError(f"port {port}: {r['status_errors']} 4xx/5xx answers, {r['bytes']} bytes for {r['requests']} requests")
    return {"MiB_s": round(r["bytes"] / r["duration_us"] * 1e6 / (1 << 20), 1), "p50_ms": r["p50_us"] / 1000,
            "p99_ms": r["p99_us"] / 1000, "errors": r["errors"], "wrk_cpu": round(client_cpu() / seconds, 2)}


def client_cpu(state={"last": 0.0}):
    """CPU seconds of the finished child processes (wrk) since the last call: the load generator's share."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    spent, state["last"] = total - state["last"], total
    return spent


def vod(args):
    scratch = Path(tempfile.mkdtemp(prefix="edge-vod-"))
    os.chmod(scratch, 0o755)
    media = scratch / "media"
    media.mkdir()
    name, size = "large.webm", 512 << 20  # .webm: served without indexing (the bytes are random)
    with open(media / name, "wb") as f:
        for _ in range(size >> 20):
            f.write(os.urandom(1 << 20))
    processes, rows = [], []

    def record(server, cache, port):
        row = {"server": server, "cache": cache, "load": uptime(), **wrk(port, f"/videos/{name}", size, args.connections, args.seconds)}
        rows.append(row)
        print(json.dumps(row), flush=True)

    try:
        origin = free_port()
        processes.append(start_origin(media, origin, subprocess.DEVNULL))
        wait_http(origin)
        disk = free_port()
        processes.append(subprocess.Popen(server_commands(media, scratch, "2m")["nginx"](disk), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_http(disk, f"/videos/{name}")
        wrk(disk, f"/videos/{name}", size, args.connections, 2)  # the page cache, as warm as the edge's
        for slice_size in args.slices.split(","):
            port = free_port()
            edge = start_edge(scratch, [origin], port, slice_size)
            processes.append(edge)
            wait_http(port)
            record(f"edge, slice {slice_size}", "cold", port)
            # The ratio to nginx from disk comes from the same minutes: warm edge and nginx take turns.
            for _ in range(args.rounds):
                record(f"edge, slice {slice_size}", "warm", port)
                record("nginx from disk", "page cache", disk)
            stop([edge])
            processes.remove(edge)
    finally:
        stop(processes)
        subprocess.run(["rm", "-rf", str(scratch)])
    return rows


PART = re.compile(rb'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="(([0-9a-f]+)-(\d+)\.(\d+)\.ts)"')


class Viewer:
    """One LL-HLS viewer on one keep-alive connection: blocking reload for the hinted part, then the part."""

    def __init__(self, port, channel, direct, segments=False):
        self.port, self.channel, self.direct, self.segments = port, channel, direct, segments
        self.parts = {}      # (msn, part) -> time the part's last byte arrived
        self.playlists = {}  # (msn, part) -> time the blocking reload answered
        self.errors = 0
        self.statuses = {}   # non-200 status -> count
        self.part_bytes = 0  # body bytes of the parts received

    async def request(self, path):
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        body = await self.reader.readexactly(length)
        return status, body

    async def run(self, hint, until):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        uri, msn, part = hint
        while time.monotonic() < until:
            status, body = await self.request(f"/live/{self.channel}/index.m3u8?_HLS_msn={msn}&_HLS_part={part}")
            if status != 200:
                self.errors += 1
                self.statuses[status] = self.statuses.get(status, 0) + 1
                await asyncio.sleep(0.1)
                continue
            self.playlists[(msn, part)] = time.monotonic()
            status, data = await self.request(f"/live/{self.channel}/{uri}")
            if status == 200:
                self.parts[(msn, part)] = time.monotonic()
                self.part_bytes += len(data)
            else:
                self.errors += 1
                self.statuses[status] = self.statuses.get(status, 0) + 1
            found = PART.search(body)
            if not found:
                self.errors += 1
                continue
            epoch, next_msn = found.group(2).decode(), int(found.group(3))
            if self.segments and next_msn > msn:
                # The segment just completed, as a player that is not low-latency (or a seek back) asks for it.
                status, _ = await self.request(f"/live/{self.channel}/{epoch}-{msn}.ts")
                if status != 200:
                    self.errors += 1
                    self.statuses[status] = self.statuses.get(status, 0) + 1
            uri, msn, part = found.group(1).decode(), next_msn, int(found.group(4))
        self.writer.close()


async def watch(origin, edges, channel, viewers, direct, seconds, segment_viewers):
    import urllib.request
    with urllib.request.urlopen(f"http://127.0.0.1:{origin}/live/{channel}/index.m3u8") as r:
        found = PART.search(r.read())
    hint = (found.group(1).decode(), int(found.group(3)), int(found.group(4)))
    group = [Viewer(origin, channel, True) for _ in range(direct)] + [Viewer(edges[i % len(edges)], channel, False, i < segment_viewers) for i in range(viewers)]
    until = time.monotonic() + seconds
    await asyncio.gather(*(v.run(hint, until) for v in group))
    return group


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else None


def live(args):
    scratch = Path(tempfile.mkdtemp(prefix="edge-live-"))
    os.chmod(scratch, 0o755)
    processes, rows = [], []
    channel = "bench"
    try:
        origin = free_port()
        log_path = scratch / "origin.log"
        processes.append(start_origin(ROOT / "samples" / "MediaServer" / "media", origin, open(log_path, "w"), "Information"))
        wait_http(origin)
        # Constant bit rate (x264 pads with filler data up to it): a test pattern alone compresses far below the rate.
        push = subprocess.Popen(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i",
                                 f"testsrc=size=1280x720:rate=25", "-c:v", "libx264", "-preset", "ultrafast", "-tune",
                                 "zerolatency", "-g", "25", "-b:v", f"{args.mbps}M", "-minrate", f"{args.mbps}M", "-maxrate",
                                 f"{args.mbps}M", "-bufsize", f"{args.mbps / 2}M", "-x264-params", "nal-hrd=cbr",
                                 "-pix_fmt", "yuv420p", "-flush_packets", "1", "-f", "mpegts", "-muxrate", f"{args.mbps * 1.05}M",
                                 "-method", "PUT", f"http://127.0.0.1:{origin}/live/{channel}"], stderr=subprocess.DEVNULL)
        processes.append(push)
        time.sleep(6)  # a few segments, so the first hint is a live part
        # The engines take turns on the same origin and channel: each engine's rows come from the same minutes.
        for round_ in range(args.rounds):
            for engine in args.engines.split(","):
                edges = [free_port() for _ in range(2)]
                # "varnish+NAME=VALUE+…" is a Varnish edge with those varnishd parameters.
                kind, *params = engine.split("+")
                started = [start_edge(scratch, [origin], port) if kind == "nginx" else start_live_edge(scratch, [origin], port, params) for port in edges]
                processes.extend(started)
                for port in edges:
                    wait_http(port)
                log_offset = log_path.stat().st_size
                row = measure(args, engine, origin, processes[0].pid, started, edges, channel, log_path, log_offset)
                row["round"] = round_ + 1
                rows.append(row)
                print(json.dumps(row), flush=True)
                stop(started)
                for p in started:
                    processes.remove(p)
    finally:
        stop(processes)
        subprocess.run(["rm", "-rf", str(scratch)])
    return rows


def measure(args, engine, origin, origin_pid, edge_processes, edges, channel, log_path, log_offset):
    load_before = uptime()
    cpu_origin = process_cpu_seconds(origin_pid)
    cpu_edges = sum(process_cpu_seconds(p.pid) for p in edge_processes)
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.monotonic()
    group = asyncio.run(watch(origin, edges, channel, args.viewers, args.direct, args.seconds, args.segment_viewers))
    wall = time.monotonic() - wall
    self_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_origin = process_cpu_seconds(origin_pid) - cpu_origin
    cpu_edges = sum(process_cpu_seconds(p.pid) for p in edge_processes) - cpu_edges
    client_cpu_s = (self_after.ru_utime + self_after.ru_stime) - (self_before.ru_utime + self_before.ru_stime)

    direct = [v for v in group if v.direct]
    edge = [v for v in group if not v.direct]
    published = {}
    for v in direct:
        for key, t in v.playlists.items():
            published[key] = min(published.get(key, t), t)
    keys = sorted(k for k in published if all(k in v.parts for v in direct))[1:-1]  # whole parts only
    late = lambda views: [(v.parts[k] - published[k]) * 1000 for v in views for k in keys if k in v.parts]
    edge_late, direct_late = late(edge), late(direct)

    # What the origin served in this run, from its request log: parts, segments and blocking playlists, 200s only.
    parts, segments, playlists = {}, {}, {}
    with open(log_path, "rb") as log:
        log.seek(log_offset)
        for line in log.read().decode(errors="replace").splitlines():
            m = re.search(rf"GET /live/{channel}/(?:[0-9a-f]+-(\d+)\.(\d+)\.ts|[0-9a-f]+-(\d+)\.ts|index\.m3u8\?_HLS_msn=(\d+)&_HLS_part=(\d+)) -> 200", line)
            if not m:
                continue
            if m.group(1):
                key = (int(m.group(1)), int(m.group(2)))
                parts[key] = parts.get(key, 0) + 1
            elif m.group(3):
                segments[int(m.group(3))] = segments.get(int(m.group(3)), 0) + 1
            else:
                key = (int(m.group(4)), int(m.group(5)))
                playlists[key] = playlists.get(key, 0) + 1
    # The direct viewers' own requests are the origin's too: each asked for every part and its blocking playlist once.
    edge_parts = [parts.get(k, 0) - args.direct for k in keys]
    edge_playlists = [playlists.get(k, 0) - args.direct for k in keys]
    edge_segments = list(segments.values())[1:-1] if args.segment_viewers else []  # whole windows only
    delivered = sum(1 for v in edge for k in keys if k in v.parts)
    # The channel's rate as the direct viewers received it: their part bytes over the run.
    received_mbps = statistics.mean(v.part_bytes for v in direct) * 8 / wall / 1e6 if direct else 0
    stats = lambda values: {"max": max(values), "mean": round(statistics.mean(values), 2)} if values else None
    return {
        "engine": engine, "viewers_via_edges": args.viewers, "direct_viewers": args.direct, "mbps": args.mbps,
        "received_mbps": round(received_mbps, 1), "bytes_via_edges": sum(v.part_bytes for v in edge),
        "parts": len(keys), "load_before": load_before, "load_after": uptime(),
        "edge_viewer_errors": sum(v.errors for v in edge),
        "edge_viewer_statuses": {str(k): sum(v.statuses.get(k, 0) for v in edge) for k in sorted({k for v in edge for k in v.statuses})},
        "parts_delivered_via_edges": delivered, "parts_expected_via_edges": len(keys) * args.viewers,
        "origin_serves_per_part_for_edges": stats(edge_parts),
        "origin_serves_per_blocking_playlist_for_edges": stats(edge_playlists),
        "origin_serves_per_segment_for_edges": stats(edge_segments),
        "fanout_ratio": round(delivered / max(1, sum(edge_parts)), 1),
        "direct_ms_p50": round(percentile(direct_late, 50), 1), "direct_ms_p99": round(percentile(direct_late, 99), 1),
        "edge_ms_p50": round(percentile(edge_late, 50), 1), "edge_ms_p99": round(percentile(edge_late, 99), 1),
        "origin_cpu_s": round(cpu_origin, 2), "edges_cpu_s": round(cpu_edges, 2),
        # The load generator: this process (every viewer's asyncio loop), in cores over the run.
        "client_cpu_cores": round(client_cpu_s / wall, 2), "seconds": round(wall, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    v = sub.add_parser("vod")
    v.add_argument("--slices", default="256k,1m,4m")
    v.add_argument("--seconds", type=int, default=8)
    v.add_argument("--connections", type=int, default=16)
    v.add_argument("--rounds", type=int, default=2, help="warm edge / nginx turns per slice size")
    l = sub.add_parser("live")
    l.add_argument("--viewers", type=int, default=1000)
    l.add_argument("--direct", type=int, default=10)
    l.add_argument("--seconds", type=int, default=30)
    l.add_argument("--mbps", type=float, default=20)
    l.add_argument("--engines", default="nginx,varnish", help="edge engines to compare, in turn; varnish+NAME=VALUE adds a varnishd parameter")
    l.add_argument("--rounds", type=int, default=2, help="turns of every engine")
    l.add_argument("--segment-viewers", type=int, default=20, help="viewers via the edges that also GET each complete segment")
    args = parser.parse_args()
    vod(args) if args.mode == "vod" else live(args)


if __name__ == "__main__":
    sys.exit(main())
