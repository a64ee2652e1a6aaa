#!/usr/bin/env python3
"""Load comparison: the same 1 GiB file served by each server, driven by wrk with random byte ranges.

For every cell (range size x connections) the servers take turns, round after round, so that ratios come from the
same time window. Each run records requests/s, GB/s, p50/p99 latency and the server's CPU seconds per GB served
(utime + stime of the server and its child processes, from /proc/<pid>/stat). Every process started is stopped by its
id. Everything binds 127.0.0.1.

    benchmarks/load/run.py [--duration 8] [--rounds 2] [--servers mediaserver,nginx,...] [--sizes 20971520,1048576]
                           [--connections 1,8,64] [--out artifacts/load] [--nginx-chunk 2m]
Requires wrk and nginx (Debian: apt-get install -y wrk nginx-light) and the samples built (./build.sh samples).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TICKS = os.sysconf("SC_CLK_TCK")
# .webm: a type the media server serves without indexing it, since the load file is random bytes.
FILE_NAME = "load.webm"
FILE_SIZE = 1 << 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dll(sample, assembly=None):
    return str(ROOT / "samples" / sample / "bin" / "Release" / "net10.0" / f"{assembly or sample}.dll")


class Command(list):
    """An argv, with environment variables for the server on top of this process's."""

    def __init__(self, argv, env=None):
        super().__init__(argv)
        self.env = env or {}


def server_commands(media, scratch, nginx_chunk):
    """name -> function(port) returning the argv that serves media/load.bin at /videos/load.bin on that port."""
    def nginx(port):
        conf = scratch / f"nginx-{port}.conf"
        text = (HERE / "nginx.conf").read_text().replace("@PORT@", str(port)).replace("@ROOT@", str(media)).replace("@CHUNK@", nginx_chunk)
        conf.write_text(text)
        for sub in ("client", "proxy", "fastcgi", "uwsgi", "scgi"):
            (scratch / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        return ["nginx", "-p", str(scratch), "-c", str(conf)]

    # The media server as it runs by default on Linux (videos mapped from their files, every send a sendfile(2)), and
    # with --memory pinned (loaded into pinned arrays, sends copy with send(2)).
    media_server = lambda port, *extra, env=None: Command(
        ["dotnet", dll("MediaServer"), "--port", str(port), "--ingest-port", str(free_port()), "--media", str(media),
         "--cache-size", "2G", "--log-level", "Warning", "--max-connections-per-address", "10000", *extra], env)
    # ZeroCopy.AspNetCore's VideoCacheResults (one copy into Kestrel's pipe); with --results-stream, Results.Stream (two).
    aspnetcore = lambda port, *extra: ["dotnet", dll("AspNetCore", "AspNetCoreSample"), "--media", str(media), "--urls",
                                       f"http://127.0.0.1:{port}", *extra]
    return {
        "mediaserver": lambda port: media_server(port, "--memory", "mapped"),
        "mediaserver-pinned": lambda port: media_server(port, "--memory", "pinned"),
        # Runtime knobs, decided by measurement (docs/benchmarks.md): socket continuations run on the epoll thread
        # instead of the thread pool, and thread-pool workers that do not spin before sleeping.
        "mediaserver-inline": lambda port: media_server(port, "--memory", "mapped", env={"DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS": "1"}),
        "mediaserver-nospin": lambda port: media_server(port, "--memory", "mapped", env={"DOTNET_ThreadPool_UnfairSemaphoreSpinLimit": "0"}),
        "nginx": nginx,
        "mediaserver-copying": lambda port: media_server(port, "--memory", "pinned", "--copy-slices"),
        "aspnetcore": aspnetcore,
        "aspnetcore-results-stream": lambda port: aspnetcore(port, "--results-stream", "true"),
        "python": lambda port: [sys.executable, str(HERE / "python_server.py"), "--port", str(port), "--file",
                                str(media / FILE_NAME), "--name", FILE_NAME],
    }


def process_cpu_seconds(pid):
    """CPU seconds of pid and its direct children (nginx's workers)."""
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    pids.append(int(entry.name))
            except (OSError, IndexError):
                pass
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except OSError:
            pass
    return total / TICKS


def wait_ready(port, process, timeout=120):
    deadline = time.monotonic() + timeout
    request = f"GET /videos/{FILE_NAME} HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=0-0\r\nConnection: close\r\n\r\n".encode()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(request)
                if s.recv(64).startswith(b"HTTP/1.1 206"):
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server on port {port} not ready after {timeout} s")


def probe(port, size):
    """A curl request for one random range, as a client would check it: 206 and exactly the range's bytes."""
    first = int.from_bytes(os.urandom(4), "little") % (FILE_SIZE - size)
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-r", f"{first}-{first + size - 1}",
                          f"http://127.0.0.1:{port}/videos/{FILE_NAME}"], capture_output=True, text=True, timeout=60)
    status, downloaded = out.stdout.split()
    if status != "206" or int(downloaded) != size:
        raise RuntimeError(f"probe of port {port}: HTTP {status}, {downloaded} bytes for a {size}-byte range")


def run_wrk(port, size, connections, duration):
    env = dict(os.environ, URL_PATH=f"/videos/{FILE_NAME}", FILE_SIZE=str(FILE_SIZE), RANGE_SIZE=str(size))
    threads = 1 if connections == 1 else 2
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "30s",
                          "-s", str(HERE / "ranges.lua"), f"http://127.0.0.1:{port}/"],
                         env=env, capture_output=True, text=True, timeout=duration + 60)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"wrk printed no result: {out.stdout}\n{out.stderr}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per cell")
    parser.add_argument("--servers", default="mediaserver,mediaserver-pinned,nginx,python,mediaserver-copying,aspnetcore,aspnetcore-results-stream")
    parser.add_argument("--sizes", default=f"{20 * 1024 * 1024},{1024 * 1024}")
    parser.add_argument("--connections", default="1,8,64")
    parser.add_argument("--out", default=str(ROOT / "artifacts" / "load"))
    parser.add_argument("--nginx-chunk", default="2m", help="nginx's sendfile_max_chunk (what one sendfile call may send)")
    args = parser.parse_args()

    for tool in ("wrk", "nginx", "curl"):
        if tool in ("wrk", "curl", *args.servers.split(",")) and shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install -y wrk nginx-light")

    out = Path(args.out)
    media = out / "media"
    media.mkdir(parents=True, exist_ok=True)
    load_file = media / FILE_NAME
    if not load_file.exists() or load_file.stat().st_size != FILE_SIZE:
        print(f"writing {load_file} ({FILE_SIZE >> 20} MiB of random bytes)", flush=True)
        with open(load_file, "wb") as f:
            for _ in range(FILE_SIZE >> 24):
                f.write(os.urandom(1 << 24))

    commands = server_commands(media, out, args.nginx_chunk)
    names = args.servers.split(",")
    processes = {}
    results = []
    try:
        for name in names:
            port = free_port()
            log = open(out / f"{name}.log", "w")
            command = commands[name](port)
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=out,
                                       env=dict(os.environ, **getattr(command, "env", {})))
            processes[name] = (process, port, log)
            wait_ready(port, process)
            print(f"{name}: pid {process.pid}, http://127.0.0.1:{port}/videos/{FILE_NAME}", flush=True)

        for size in map(int, args.sizes.split(",")):
            for connections in map(int, args.connections.split(",")):
                for round_index in range(args.rounds):
                    for name in names:
                        process, port, _ = processes[name]
                        probe(port, size)
                        cpu_before = process_cpu_seconds(process.pid)
                        client_before = os.times()
                        r = run_wrk(port, size, connections, args.duration)
                        cpu = process_cpu_seconds(process.pid) - cpu_before
                        client_after = os.times()
                        client_cpu = (client_after.children_user - client_before.children_user) + (client_after.children_system - client_before.children_system)
                        probe(port, size)
                        seconds = r["duration_us"] / 1e6
                        gb = r["bytes"] / 1e9
                        row = {"server": name, "range": size, "connections": connections, "round": round_index,
                               "rps": r["requests"] / seconds, "gbps": gb / seconds, "p50_ms": r["p50_us"] / 1000,
                               "p90_ms": r["p90_us"] / 1000, "p99_ms": r["p99_us"] / 1000, "max_ms": r["max_us"] / 1000,
                               "stdev_ms": r["stdev_us"] / 1000, "cpu_s_per_gb": cpu / gb if gb else float("nan"),
                               "client_cpu_share": client_cpu / seconds, "errors": r["errors"], "status_errors": r["status_errors"],
                               "bytes_per_request": r["bytes"] / max(r["requests"], 1)}
                        # A 200 with the whole file instead of a 206 would show here as a gigabyte per request. wrk also counts
                        # the bytes of the responses still in flight when it stops: at most one per connection.
                        if r["requests"] and not r["requests"] * size <= r["bytes"] <= (r["requests"] + connections) * (size + 4096):
                            raise RuntimeError(f"{name}: {r['bytes']} bytes for {r['requests']} requests of {size}-byte ranges")
                        results.append(row)
                        print(json.dumps(row), flush=True)
    finally:
        for name, (process, _, log) in processes.items():
            process.send_signal(signal.SIGTERM if name != "nginx" else signal.SIGQUIT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()

    (out / "results.json").write_text(json.dumps(results, indent=1))
    print()
    print(markdown(results, names))


def markdown(results, names):
    lines = ["| range | conns | server | GB/s (median, range) | req/s | p50 ms | p99 ms | max ms | CPU s/GB | vs nginx GB/s | vs nginx CPU/GB | wrk CPU |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    cells = sorted({(r["range"], r["connections"]) for r in results}, key=lambda c: (-c[0], c[1]))
    for size, connections in cells:
        def med(name, key):
            values = [r[key] for r in results if r["server"] == name and r["range"] == size and r["connections"] == connections]
            return statistics.median(values), min(values), max(values)
        for name in names:
            gbps, lo, hi = med(name, "gbps")
            cpu = med(name, "cpu_s_per_gb")[0]
            ratio = gbps / med("nginx", "gbps")[0] if "nginx" in names else float("nan")
            cpu_ratio = cpu / med("nginx", "cpu_s_per_gb")[0] if "nginx" in names else float("nan")
            lines.append(f"| {size >> 20} MiB | {connections} | {name} | {gbps:.2f} ({lo:.2f}-{hi:.2f}) | {med(name, 'rps')[0]:.0f} | "
                         f"{med(name, 'p50_ms')[0]:.1f} | {med(name, 'p99_ms')[0]:.1f} | {med(name, 'max_ms')[0]:.0f} | {cpu:.3f} | {ratio:.2f}x | {cpu_ratio:.2f}x | "
                         f"{med(name, 'client_cpu_share')[0]:.0%} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
