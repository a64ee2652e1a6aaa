#!/usr/bin/env python3
"""Load comparison: the same 1 GiB file served by each server, driven by wrk with random byte ranges.

For every cell (range size x connections) the servers take turns, round after round, so that ratios come from the
same time window. Each run records requests/s, GB/s, p50/p99 latency and the server's CPU seconds per GB served
(utime + stime of the server and its child processes, from /proc/<pid>/stat). Every process started is stopped by its
id. Everything binds 127.0.0.1.

GB/s moves from run to run on a shared VM; what the server does per byte moves much less, so every row also records
the server's context switches per GB (every thread of the server and its children, /proc/<pid>/task/<tid>/status;
also by thread name, voluntary and involuntary apart) and wrk's own CPU (wait4(2)'s rusage; a share near 1.0 means one full core: the client was the bottleneck). With
--strace-requests N, after each cell's rounds every server also answers N requests on one keep-alive connection under
`strace -f -c`, for its system calls per request. --pin puts the servers on CPU 0 and wrk on CPU 1 (taskset), so GB/s
is per server core. --file-kind says how the load file was written, since its page-cache state moves the figures.

    benchmarks/load/run.py [--duration 8] [--rounds 2] [--servers mediaserver,nginx,...] [--sizes 20971520,1048576]
                           [--connections 1,8,64] [--out artifacts/load] [--nginx-chunk 2m] [--pin]
                           [--strace-requests 0] [--file-kind fresh|aged] [--rewrite-file] [--warmup 5]
Requires wrk and nginx (Debian: apt-get install -y wrk nginx-light) and the samples built (./build.sh samples); taskset
(util-linux) for --pin, strace for --strace-requests.
"""
import argparse
import json
import math
import os
import random
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TICKS = os.sysconf("SC_CLK_TCK")
# .webm: a type the media server serves without indexing it, since the load file is random bytes.
FILE_NAME = "load.webm"
FILE_SIZE = 1 << 30
# With --pin: the servers (and nginx's workers, which inherit it) on one core, wrk on the other.
SERVER_CPUS = "0"
CLIENT_CPUS = "1"
# How each --file-kind is written (write_load_file), as the output states it.
FILE_KINDS = {
    "fresh": "written in 1 MiB writes, then fsync'd; its page cache is what those writes left (large folios)",
    "aged": "written in 4 KiB writes, fsync'd, dropped from the page cache (POSIX_FADV_DONTNEED), then read back once "
            "sequentially in 4 KiB reads with readahead off (POSIX_FADV_RANDOM); its page cache is 4 KiB folios",
}
# System calls listed by name per request (the most frequent); the total counts them all.
TOP_SYSCALLS = 8


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


def pinned(command, cpus):
    """command run by taskset on cpus. taskset execs the command, so the process keeps the pid run.py reads."""
    return Command(["taskset", "-c", cpus, *command], getattr(command, "env", {}))


def server_commands(media, scratch, nginx_chunk, nginx_workers="auto"):
    """name -> function(port) returning the argv that serves media/load.webm at /videos/load.webm on that port."""
    def nginx(port):
        conf = scratch / f"nginx-{port}.conf"
        text = (HERE / "nginx.conf").read_text().replace("@PORT@", str(port)).replace("@ROOT@", str(media)).replace(
            "@CHUNK@", nginx_chunk).replace("@WORKERS@", nginx_workers)
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
        # The same server with the library's own epoll socket loop switched off: sockets go through the framework's
        # socket path (SocketAsyncEngine), for A/B runs of the loop.
        "mediaserver-framework": lambda port: media_server(port, "--memory", "mapped", env={"ZEROCOPY_SOCKET_LOOP": "0"}),
        "mediaserver-pinned": lambda port: media_server(port, "--memory", "pinned"),
        # Runtime knobs, decided by measurement (docs/benchmarks.md): socket continuations run on the epoll thread
        # instead of the thread pool, and thread-pool workers that do not spin before sleeping.
        "mediaserver-inline": lambda port: media_server(port, "--memory", "mapped", env={"DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS": "1"}),
        "mediaserver-nospin": lambda port: media_server(port, "--memory", "mapped", env={"DOTNET_ThreadPool_UnfairSemaphoreSpinLimit": "0"}),
        # On the loop the server turns the pool's spin off (Hosting/ThreadPoolSpin.cs); this puts the runtime's default
        # (70) back, for A/B runs of that choice.
        "mediaserver-spin": lambda port: media_server(port, "--memory", "mapped", env={"DOTNET_ThreadPool_UnfairSemaphoreSpinLimit": "70"}),
        "nginx": nginx,
        "mediaserver-copying": lambda port: media_server(port, "--memory", "pinned", "--copy-slices"),
        "aspnetcore": aspnetcore,
        "aspnetcore-results-stream": lambda port: aspnetcore(port, "--results-stream", "true"),
        "python": lambda port: [sys.executable, str(HERE / "python_server.py"), "--port", str(port), "--file",
                                str(media / FILE_NAME), "--name", FILE_NAME],
    }


def process_family(pid):
    """pid and its direct children (nginx's workers)."""
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    pids.append(int(entry.name))
            except (OSError, IndexError):
                pass
    return pids


def process_cpu_seconds(pid):
    """CPU seconds of pid and its direct children (nginx's workers)."""
    total = 0
    for p in process_family(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except OSError:
            pass
    return total / TICKS


def thread_context_switches(pid):
    """tid -> (thread, voluntary, involuntary) context switches, for every thread of pid and of its direct children.
    Per thread, because /proc/<pid>/status counts only the main thread and nothing in /proc keeps the counts of threads
    that exited (a thread-pool thread may retire during a run). thread is the thread's name without its number (the
    loops' "ZeroCopy socket loop 0" is cut to "ZeroCopy socket" by the kernel's 15 characters), or "worker" for a child
    process (nginx's workers)."""
    counts = {}
    for p in process_family(pid):
        try:
            tasks = list(Path(f"/proc/{p}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                status = (task / "status").read_text()
                name = "worker" if p != pid else re.sub(r"[\s\d]+$", "", (task / "comm").read_text().strip()) or "main"
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines()
                          if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")))
            counts[int(task.name)] = (name, int(fields["voluntary_ctxt_switches"]), int(fields["nonvoluntary_ctxt_switches"]))
    return counts


def context_switches_between(before, after):
    """Switches made between two thread_context_switches readings: a thread started meanwhile counts from zero, one
    that exited meanwhile loses only its switches since the first reading."""
    return sum(sum(pair) for pair in switches_by_thread(before, after).values())


def switches_by_thread(before, after):
    """{thread name: [voluntary, involuntary]} made between two thread_context_switches readings, threads of one name
    (the thread pool's workers, nginx's workers) added up."""
    by_name = {}
    for tid, (name, voluntary, involuntary) in after.items():
        _, voluntary_before, involuntary_before = before.get(tid, (name, 0, 0))
        pair = by_name.setdefault(name, [0, 0])
        pair[0] += voluntary - voluntary_before
        pair[1] += involuntary - involuntary_before
    return {name: pair for name, pair in by_name.items() if pair != [0, 0]}


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


def wrk_threads(connections, pin):
    """One thread for one connection; otherwise two, one per core, or one when pinned to its single core."""
    return 1 if connections == 1 or pin else 2


def run_wrk(port, size, connections, duration, pin=False):
    """wrk's result line, and wrk's CPU seconds (user + system) from wait4(2)'s rusage of the reaped child: reading
    /proc/<pid>/stat just before it exits would race with its exit, and os.times() would mix in every other child."""
    env = dict(os.environ, URL_PATH=f"/videos/{FILE_NAME}", FILE_SIZE=str(FILE_SIZE), RANGE_SIZE=str(size))
    argv = ["wrk", "-t", str(wrk_threads(connections, pin)), "-c", str(connections), "-d", f"{duration}s", "--timeout", "30s",
            "-s", str(HERE / "ranges.lua"), f"http://127.0.0.1:{port}/"]
    if pin:
        argv = pinned(argv, CLIENT_CPUS)
    # Files, not pipes: nothing reads wrk's output while wait4 blocks.
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(argv, env=env, stdout=stdout, stderr=stderr)
        timer = threading.Timer(duration + 60, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
        stdout.seek(0)
        stderr.seek(0)
        text, errors = stdout.read().decode(errors="replace"), stderr.read().decode(errors="replace")
    if process.returncode == -signal.SIGKILL:
        raise RuntimeError(f"wrk did not finish within {duration + 60} s")
    for line in text.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):]), usage.ru_utime + usage.ru_stime
    raise RuntimeError(f"wrk printed no result: {text}\n{errors}")


def keepalive_requests(port, size, count):
    """count GETs of random size-byte ranges on one keep-alive connection, each answer read to its Content-Length
    before the next request, so that the server's system calls are those of exactly count requests."""
    buffer = memoryview(bytearray(1 << 20))
    content_length = re.compile(rb"^content-length:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        for _ in range(count):
            first = random.randrange(FILE_SIZE - size + 1)
            s.sendall(f"GET /videos/{FILE_NAME} HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes={first}-{first + size - 1}\r\n\r\n".encode())
            received = b""
            while b"\r\n\r\n" not in received:
                chunk = s.recv(65536)
                if not chunk:
                    raise RuntimeError(f"port {port} closed the connection")
                received += chunk
            head, body = received.split(b"\r\n\r\n", 1)
            match = content_length.search(head)
            if not head.startswith(b"HTTP/1.1 206") or not match or int(match.group(1)) != size:
                status = head.split(b"\r\n", 1)[0].decode(errors="replace")
                raise RuntimeError(f"port {port}: {status}, Content-Length {match and match.group(1).decode()} for a {size}-byte range")
            remaining = size - len(body)
            if remaining < 0:
                raise RuntimeError(f"port {port} sent {-remaining} bytes more than the range")
            while remaining:
                n = s.recv_into(buffer[:min(remaining, len(buffer))])
                if not n:
                    raise RuntimeError(f"port {port} closed the connection {remaining} bytes before the end of an answer")
                remaining -= n


def strace_targets(name, pid):
    """The processes that serve: nginx's workers (its master only accepts signals), otherwise the server itself."""
    return process_family(pid)[1:] if name == "nginx" else [pid]


def wait_traced(pids, tracer, timeout=15):
    """True once every thread of pids has tracer as its tracer (strace has no other sign that it has attached)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and tracer.poll() is None:
        try:
            if all(f"TracerPid:\t{tracer.pid}\n" in (task / "status").read_text()
                   for p in pids for task in Path(f"/proc/{p}/task").iterdir()):
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def parse_strace_summary(text):
    """{syscall: calls} and the total calls from strace -c's table. The columns are right-aligned under their headers
    and the errors column is blank for calls that never failed, so the calls are read by their column's position."""
    calls, total, end = {}, None, None
    for line in text.splitlines():
        if end is None:
            if "calls" in line and line.rstrip().endswith("syscall"):
                end = line.index("calls") + len("calls")
            continue
        tokens = line.split()
        if not tokens or tokens[0].startswith("-"):
            continue
        try:
            count = int(line[:end].split()[-1])
        except (ValueError, IndexError):
            continue
        if tokens[-1] == "total":
            total = count
        else:
            calls[tokens[-1]] = calls.get(tokens[-1], 0) + count
    return calls, total if total is not None else sum(calls.values())


def measure_syscalls(name, pid, port, size, count, scratch):
    """The server's system calls per request, from `strace -f -c` attached while it answers count requests on one
    connection; None (with a note) when strace cannot attach. The counts include whatever the server's other threads
    do meanwhile (timers, idle polls): a larger count dilutes them."""
    targets = strace_targets(name, pid)
    summary = scratch / f"strace-{name}-{size}.txt"
    summary.unlink(missing_ok=True)
    with open(scratch / f"strace-{name}.log", "w") as log:
        tracer = subprocess.Popen(["strace", "-f", "-c", "-q", "-o", str(summary), *(a for p in targets for a in ("-p", str(p)))],
                                  stdout=log, stderr=log)
    try:
        if not wait_traced(targets, tracer):
            print(f"note: strace could not attach to {name} (pids {targets}; see {scratch / f'strace-{name}.log'}): "
                  "no system-call counts", flush=True)
            return None
        keepalive_requests(port, size, count)
    finally:
        if tracer.poll() is None:
            tracer.send_signal(signal.SIGINT)  # strace detaches and writes its summary
        try:
            tracer.wait(timeout=30)
        except subprocess.TimeoutExpired:
            tracer.kill()
            tracer.wait()
    calls, total = parse_strace_summary(summary.read_text() if summary.exists() else "")
    if not total:
        print(f"note: strace wrote no summary for {name} ({summary}): no system-call counts", flush=True)
        return None
    top = sorted(calls.items(), key=lambda item: -item[1])[:TOP_SYSCALLS]
    return {"strace_requests": count, "syscalls_per_request": total / count,
            "syscalls": {call: round(n / count, 3) for call, n in top}}


def write_load_file(path, kind):
    """Random bytes, written as FILE_KINDS[kind] says. Unbuffered, so that each write is one write(2) of that size.
    aged reads back with readahead off because sequential readahead would build large folios again."""
    write_size = (1 << 20) if kind == "fresh" else 4096
    with open(path, "wb", buffering=0) as f:
        for _ in range(FILE_SIZE >> 20):
            block = memoryview(os.urandom(1 << 20))
            for offset in range(0, len(block), write_size):
                piece = block[offset:offset + write_size]
                while piece:
                    piece = piece[f.write(piece):]
        os.fsync(f.fileno())
    if kind == "aged":
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)  # clean after fsync, so the pages do go
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
            page = bytearray(4096)
            while os.readv(fd, [page]):
                pass
        finally:
            os.close(fd)


def prepare_load_file(path, kind, rewrite):
    """Writes the load file when it is missing, has another size, was written as another kind (the sidecar
    <name>.kind records it) or rewrite is set; returns how it was written, for the output."""
    sidecar = path.with_name(path.name + ".kind")
    recorded = sidecar.read_text().strip() if sidecar.exists() else None
    if rewrite or recorded != kind or not path.exists() or path.stat().st_size != FILE_SIZE:
        print(f"writing {path} ({FILE_SIZE >> 20} MiB of random bytes, {kind}: {FILE_KINDS[kind]})", flush=True)
        sidecar.unlink(missing_ok=True)
        write_load_file(path, kind)
        sidecar.write_text(kind + "\n")
        when = "written by this run"
    else:
        when = "reused, written " + datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"{path.name}, {kind}: {FILE_KINDS[kind]} ({when})"


def machine(args, load_file):
    """What the figures depend on besides the servers, printed above the table and kept in run.json."""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = "unknown"
    try:
        command = [a.decode() for a in Path("/proc/self/cmdline").read_bytes().split(b"\0") if a]
    except OSError:
        command = [sys.executable, *sys.argv]
    return {"kernel": os.uname().release, "cpu": cpu, "cores": os.cpu_count(),
            "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "command": shlex.join(command),
            "pinned": args.pin, "file_kind": args.file_kind, "load_file": load_file, "warmup_s": args.warmup}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per cell")
    parser.add_argument("--servers", default="mediaserver,mediaserver-framework,nginx,python,mediaserver-pinned,mediaserver-copying,aspnetcore,aspnetcore-results-stream")
    parser.add_argument("--sizes", default=f"{20 * 1024 * 1024},{1024 * 1024}")
    parser.add_argument("--connections", default="1,8,64")
    parser.add_argument("--out", default=str(ROOT / "artifacts" / "load"))
    parser.add_argument("--nginx-chunk", default="2m", help="nginx's sendfile_max_chunk (what one sendfile call may send)")
    parser.add_argument("--pin", action="store_true",
                        help=f"servers on CPU {SERVER_CPUS} (nginx with one worker), wrk on CPU {CLIENT_CPUS} with one thread (taskset)")
    parser.add_argument("--warmup", type=int, default=5, metavar="SECONDS",
                        help="before the first cell, SECONDS of 1 MiB ranges over 8 connections to every server, not recorded, "
                             "so that the first cell does not count the runtime's start (JIT tiering, thread-pool growth); 0: none")
    parser.add_argument("--strace-requests", type=int, default=0, metavar="N",
                        help="after each cell's rounds, count each server's system calls over N requests on one connection (0: off)")
    parser.add_argument("--file-kind", choices=sorted(FILE_KINDS), default="fresh",
                        help="; ".join(f"{kind}: {text}" for kind, text in FILE_KINDS.items()))
    parser.add_argument("--rewrite-file", action="store_true", help="write the load file even when one of this kind exists")
    args = parser.parse_args()

    names = args.servers.split(",")
    out = Path(args.out).resolve()  # the servers run with their own working directories: pass them absolute paths
    media = out / "media"
    commands = server_commands(media, out, args.nginx_chunk, str(len(SERVER_CPUS.split(","))) if args.pin else "auto")
    unknown = [name for name in names if name not in commands]
    if unknown:
        sys.exit(f"unknown servers {unknown}; known: {', '.join(commands)}")
    for tool in ("wrk", "curl", *(["nginx"] if "nginx" in names else []), *(["taskset"] if args.pin else [])):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install -y wrk nginx-light curl util-linux")
    if args.strace_requests > 0 and shutil.which("strace") is None:
        print("note: strace is missing (apt-get install -y strace): no system-call counts", flush=True)
        args.strace_requests = 0

    media.mkdir(parents=True, exist_ok=True)
    info = machine(args, prepare_load_file(media / FILE_NAME, args.file_kind, args.rewrite_file))
    print(f"load file: {info['load_file']}", flush=True)

    processes = {}
    results = []
    try:
        for name in names:
            port = free_port()
            log = open(out / f"{name}.log", "w")
            command = commands[name](port)
            if args.pin:
                command = pinned(command, SERVER_CPUS)
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=out,
                                       env=dict(os.environ, **getattr(command, "env", {})))
            processes[name] = (process, port, log)
            wait_ready(port, process)
            print(f"{name}: pid {process.pid}, http://127.0.0.1:{port}/videos/{FILE_NAME}", flush=True)

        if args.warmup > 0:
            for name in names:
                run_wrk(processes[name][1], 1 << 20, 8, args.warmup, args.pin)
            print(f"warmed up: {args.warmup} s of 1 MiB ranges over 8 connections per server, not recorded", flush=True)

        for size in map(int, args.sizes.split(",")):
            for connections in map(int, args.connections.split(",")):
                for round_index in range(args.rounds):
                    for name in names:
                        process, port, _ = processes[name]
                        probe(port, size)
                        cpu_before = process_cpu_seconds(process.pid)
                        switches_before = thread_context_switches(process.pid)
                        r, client_cpu = run_wrk(port, size, connections, args.duration, args.pin)
                        switches_after = thread_context_switches(process.pid)
                        switches = context_switches_between(switches_before, switches_after)
                        by_thread = switches_by_thread(switches_before, switches_after)
                        cpu = process_cpu_seconds(process.pid) - cpu_before
                        probe(port, size)
                        seconds = r["duration_us"] / 1e6
                        gb = r["bytes"] / 1e9
                        row = {"server": name, "range": size, "connections": connections, "round": round_index,
                               "rps": r["requests"] / seconds, "gbps": gb / seconds, "p50_ms": r["p50_us"] / 1000,
                               "p90_ms": r["p90_us"] / 1000, "p99_ms": r["p99_us"] / 1000, "max_ms": r["max_us"] / 1000,
                               "stdev_ms": r["stdev_us"] / 1000, "cpu_s_per_gb": cpu / gb if gb else float("nan"),
                               "ctx_switches": switches, "ctxsw_per_gb": switches / gb if gb else float("nan"),
                               # Per thread name, voluntary (a sleep: epoll_wait, a futex) and involuntary (preempted,
                               # or a sched_yield that let another thread run), per GB.
                               "ctxsw_per_gb_by_thread": {name: [round(v / gb, 1), round(n / gb, 1)] if gb else None
                                                          for name, (v, n) in sorted(by_thread.items(), key=lambda kv: -sum(kv[1]))},
                               "client_cpu_s": client_cpu, "client_cpu_share": client_cpu / seconds,
                               "wrk_threads": wrk_threads(connections, args.pin), "pinned": args.pin, "file_kind": args.file_kind,
                               "errors": r["errors"], "status_errors": r["status_errors"],
                               "bytes_per_request": r["bytes"] / max(r["requests"], 1)}
                        # A 200 with the whole file instead of a 206 would show here as a gigabyte per request. wrk also counts
                        # the bytes of the responses still in flight when it stops: at most one per connection.
                        if r["requests"] and not r["requests"] * size <= r["bytes"] <= (r["requests"] + connections) * (size + 4096):
                            raise RuntimeError(f"{name}: {r['bytes']} bytes for {r['requests']} requests of {size}-byte ranges")
                        results.append(row)
                        print(json.dumps(row), flush=True)
                if args.strace_requests > 0:
                    for name in names:
                        process, port, _ = processes[name]
                        counted = measure_syscalls(name, process.pid, port, size, args.strace_requests, out)
                        if counted:
                            for row in results:
                                if row["server"] == name and row["range"] == size and row["connections"] == connections:
                                    row.update(counted)
                            print(json.dumps({"server": name, "range": size, "connections": connections, **counted}), flush=True)
    finally:
        for name, (process, _, log) in processes.items():
            process.send_signal(signal.SIGTERM if name != "nginx" else signal.SIGQUIT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()

    info["finished"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    (out / "results.json").write_text(json.dumps(results, indent=1))
    (out / "run.json").write_text(json.dumps(info, indent=1))
    print()
    print(markdown(results, names, info))


def markdown(results, names, info=None):
    lines = []
    if info:
        lines += [f"- machine: Linux {info['kernel']}, {info['cpu']}, {info['cores']} cores",
                  f"- date: {info['started']} to {info.get('finished', '?')}",
                  f"- command: `{info['command']}`",
                  f"- pinned: " + (f"yes (servers on CPU {SERVER_CPUS}, wrk on CPU {CLIENT_CPUS})" if info["pinned"] else "no"),
                  f"- load file: {info['load_file']}",
                  "- ctx sw/GB: context switches (voluntary + involuntary) of every thread of the server and its child processes "
                  "(nginx's workers) per GB sent; wrk CPU: wrk's user + system time over the run (100% = one core)",
                  ""]
    syscalls = any("syscalls_per_request" in r for r in results)
    lines += ["| range | conns | server | GB/s (median, range) | req/s | p50 ms | p99 ms | max ms | CPU s/GB | ctx sw/GB | vs nginx GB/s | vs nginx CPU/GB | wrk CPU |"
              + (" syscalls/req |" if syscalls else ""),
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|" + ("---|" if syscalls else "")]
    cells = sorted({(r["range"], r["connections"]) for r in results}, key=lambda c: (-c[0], c[1]))
    details = []
    for size, connections in cells:
        def med(name, key):
            values = [r[key] for r in results if r["server"] == name and r["range"] == size and r["connections"] == connections
                      and r.get(key) is not None]
            return (statistics.median(values), min(values), max(values)) if values else (float("nan"),) * 3
        for name in names:
            gbps, lo, hi = med(name, "gbps")
            cpu = med(name, "cpu_s_per_gb")[0]
            ratio = gbps / med("nginx", "gbps")[0] if "nginx" in names else float("nan")
            cpu_ratio = cpu / med("nginx", "cpu_s_per_gb")[0] if "nginx" in names else float("nan")
            line = (f"| {size >> 20} MiB | {connections} | {name} | {gbps:.2f} ({lo:.2f}-{hi:.2f}) | {med(name, 'rps')[0]:.0f} | "
                    f"{med(name, 'p50_ms')[0]:.1f} | {med(name, 'p99_ms')[0]:.1f} | {med(name, 'max_ms')[0]:.0f} | {cpu:.3f} | "
                    f"{med(name, 'ctxsw_per_gb')[0]:.0f} | {ratio:.2f}x | {cpu_ratio:.2f}x | {med(name, 'client_cpu_share')[0]:.0%} |")
            if syscalls:
                per_request = med(name, "syscalls_per_request")[0]
                line += " – |" if math.isnan(per_request) else f" {per_request:.1f} |"
                counted = next((r for r in results if r["server"] == name and r["range"] == size
                                and r["connections"] == connections and "syscalls" in r), None)
                if counted:
                    details.append(f"| {size >> 20} MiB | {connections} | {name} | {counted['syscalls_per_request']:.1f} | "
                                   + ", ".join(f"{call} {n:g}" for call, n in counted["syscalls"].items()) + " |")
            lines.append(line)
    threads = []
    for size, connections in cells:
        for name in names:
            rows = sorted((r for r in results if r["server"] == name and r["range"] == size and r["connections"] == connections
                           and r.get("ctxsw_per_gb_by_thread")), key=lambda r: r["ctxsw_per_gb"])
            if rows:
                row = rows[(len(rows) - 1) // 2]  # the round with the median switches per GB (the lower one of two)
                threads.append(f"| {size >> 20} MiB | {connections} | {name} | {row['ctxsw_per_gb']:.0f} | " + ", ".join(
                    f"{thread} {v:g}/{n:g}" for thread, (v, n) in row["ctxsw_per_gb_by_thread"].items()) + " |")
    if threads:
        lines += ["", "Context switches per GB by thread, voluntary/involuntary (the round with the median total):", "",
                  "| range | conns | server | ctx sw/GB | by thread |", "|---|---|---|---|---|", *threads]
    if details:
        requests = next(r["strace_requests"] for r in results if "strace_requests" in r)
        lines += ["", f"System calls per request (strace -f -c, {requests} requests on one keep-alive connection):", "",
                  "| range | conns | server | syscalls/req | most frequent, per request |", "|---|---|---|---|---|", *details]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
