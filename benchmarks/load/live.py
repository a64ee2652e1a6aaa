#!/usr/bin/env python3
"""Live fan-out load: the media server takes one synthetic 20 Mbps MPEG-TS ingest and serves it to N viewers.

For N in the given steps, benchmarks/LiveFanout pushes the stream to the ingest port and opens N viewers of
/live/live; a step passes when no viewer falls behind (each gets >= 95% of the ingested bytes in the window, none is
disconnected) and the ingest never stalls. Records the server's CPU seconds per GB sent to viewers. Stops at the
first step that fails. The server runs for the whole sweep and is stopped by its id.

    benchmarks/load/live.py [--mode stream|hls|hls-latency] [--steps 100,250,500,750,1000,1500] [--seconds 60] [--mbps 20] [--memory mapped|pinned]
                            [--server-env KEY=VALUE ...]

--mode hls makes the viewers Low-Latency HLS clients (blocking playlist reloads and preload-hinted parts, as hls.js);
a step also fails when an HLS viewer skipped ahead or got an error, and the table adds the part delivery latency.
--mode hls-latency publishes one small frame every 300 ms (each publishes one part) to N blocked LL-HLS clients and
reports the latency from a frame's send to the delivery of its part and of the playlist listing it (e.g. --steps 50).
--server-env sets a variable in the server's environment only (repeatable): --server-env ZEROCOPY_SOCKET_LOOP=0 runs
the server on the framework's sockets instead of the library's socket loop; the table's "path" column says which ran
(from the server's environment, this process's included). Each row also records the 1-minute load average before the
step (as `uptime` prints it), the share of the window in which some task waited for a CPU (/proc/pressure/cpu, PSI "some":
0 on idle cores, 1 when something always waited) and the server's context switches per GB (voluntary + involuntary,
every thread).
Server CPU s/GB is over the whole LiveFanout run (connecting, warm-up and teardown included, as recorded since
2026-11) divided by the GB of the measured window; "window CPU s/GB" and the context switches are read at the edges of
the window alone (LiveFanout prints WINDOW START and WINDOW END), so a mode's longer warm-up does not weigh on them.
Requires ./build.sh samples and dotnet build -c Release benchmarks/LiveFanout.
"""
import argparse
import os
import json
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from run import ROOT, context_switches_between, dll, free_port, process_cpu_seconds, thread_context_switches


def server_environment(assignments):
    """This process's environment with the --server-env KEY=VALUE assignments on top."""
    env = dict(os.environ)
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep or not key:
            sys.exit(f"live.py: --server-env wants KEY=VALUE, got {assignment!r}")
        env[key] = value
    return env


def cpu_pressure_us():
    """Microseconds in which some runnable task waited for a CPU, machine-wide since boot (/proc/pressure/cpu, PSI), or
    None where the kernel has no PSI. Over a window it says how contended the cores were, by whatever ran."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        return int(line.rsplit("total=", 1)[1])
    except (OSError, IndexError, ValueError):
        return None


def socket_path(env):
    """Which socket path the server runs on: the library's loop unless ZEROCOPY_SOCKET_LOOP=0 (SocketLoop.cs)."""
    return "framework" if env.get("ZEROCOPY_SOCKET_LOOP", "").strip() == "0" else "loop"

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["stream", "hls", "hls-latency"], default="stream")
    parser.add_argument("--steps", default="100,250,500,750,1000,1500")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--mbps", type=float, default=20)
    parser.add_argument("--out", default=str(ROOT / "artifacts" / "load"))
    parser.add_argument("--memory", default="mapped", choices=["mapped", "pinned"],
                        help="the server's ring: shared memory (viewers served by sendfile(2)) or pinned arrays (send(2))")
    parser.add_argument("--max-connections", type=int, default=10_000)
    parser.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE",
                        help="a variable for the server's environment only (repeatable), e.g. ZEROCOPY_SOCKET_LOOP=0 for the framework path")
    args = parser.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    http_port, ingest_port = free_port(), free_port()
    log = open(out / "live-mediaserver.log", "w")
    env = server_environment(args.server_env)
    path = socket_path(env)
    server = subprocess.Popen(["dotnet", dll("MediaServer"), "--port", str(http_port), "--ingest-port", str(ingest_port),
                               "--memory", args.memory, "--max-connections", str(args.max_connections),
                               "--max-connections-per-address", str(args.max_connections), "--log-level", "Warning"],
                              stdout=log, stderr=subprocess.STDOUT, env=env)
    tool = str(ROOT / "benchmarks" / "LiveFanout" / "bin" / "Release" / "net10.0" / "LiveFanout.dll")
    rows = []
    try:
        import time
        time.sleep(3)
        for viewers in map(int, args.steps.split(",")):
            load_before = round(os.getloadavg()[0], 2)
            cpu_before = process_cpu_seconds(server.pid)
            client_before = os.times()
            started = time.monotonic()
            window = {}
            with tempfile.TemporaryFile(mode="w+") as errors:
                client = subprocess.Popen(["dotnet", tool, "--ingest-port", str(ingest_port), "--http-port", str(http_port),
                                           "--viewers", str(viewers), "--seconds", str(args.seconds), "--mbps", str(args.mbps),
                                           "--mode", args.mode],
                                          stdout=subprocess.PIPE, stderr=errors, text=True)
                watchdog = threading.Timer(args.seconds + 120, client.kill)
                watchdog.start()
                output = []
                for text in client.stdout:
                    if text.startswith("WINDOW "):
                        window[text.split()[1]] = (process_cpu_seconds(server.pid), thread_context_switches(server.pid),
                                                   cpu_pressure_us(), time.monotonic())
                    output.append(text)
                client.wait()
                watchdog.cancel()
                errors.seek(0)
                result = subprocess.CompletedProcess(client.args, client.returncode, "".join(output), errors.read())
            cpu = process_cpu_seconds(server.pid) - cpu_before
            client_wall = time.monotonic() - started
            client_after = os.times()
            client_cpu = (client_after.children_user - client_before.children_user) + (client_after.children_system - client_before.children_system)
            line = next((l for l in result.stdout.splitlines() if l.startswith("RESULT ")), None)
            if line is None:
                print(result.stdout, result.stderr, file=sys.stderr)
                break
            row = json.loads(line[len("RESULT "):])
            gb = row["fanout_gbps"] * row["seconds"]
            row["path"] = path
            row["load_before"] = load_before
            row["server_cpu_s"] = round(cpu, 2)
            if "START" in window and "END" in window:
                (cpu_start, switches_start, stall_start, at_start), (cpu_end, switches_end, stall_end, at_end) = window["START"], window["END"]
                switches = context_switches_between(switches_start, switches_end)
                row["window_cpu_s_per_gb"] = round((cpu_end - cpu_start) / gb, 4) if gb else None
                row["server_ctx_switches"] = switches
                row["server_ctxsw_per_gb"] = round(switches / gb) if gb else None
                # Share of the window in which some task on the machine waited for a CPU (PSI "some"): 0 on idle cores.
                if stall_start is not None and stall_end is not None:
                    row["cpu_pressure"] = round((stall_end - stall_start) / 1e6 / (at_end - at_start), 2)
            row["server_cpu_s_per_gb"] = round(cpu / gb, 4) if gb else None
            # The viewers and the ingest (LiveFanout) run on the same cores: their CPU, 100% = one core, over the whole run
            # (its wall time; until 2026-12-07 divided by the window + 4 s, which overstated it by a few percent).
            row["client_cpu_share"] = round(client_cpu / client_wall, 2)
            rows.append(row)
            print(json.dumps(row), flush=True)
            if not row["ok"]:
                break
            time.sleep(2)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    (out / f"live-{args.mode}-results.json").write_text(json.dumps(rows, indent=1))
    hls = args.mode != "stream"
    print("\n| path | load before | viewers | ingest Mbps | stalls | behind | disconnected | min viewer ratio | fan-out GB/s | "
          "server CPU s/GB | window CPU s/GB | ctx sw/GB | client CPU | CPU pressure |"
          + (" part latency p50 / p99 ms | playlist latency p50 / p99 ms |" if hls else "") + " ok |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|" + ("---|---|" if hls else "") + "---|")
    for r in rows:
        latency = r.get("part_latency_ms", {})
        reload = r.get("playlist_latency_ms", {})
        print(f"| {r['path']} | {r['load_before']} | {r['viewers']} | {r['ingest_mbps']} | {r['ingest_stalls']} | {r['viewers_behind']} | "
              f"{r['viewers_disconnected']} | {r['min_viewer_ratio']} | {r['fanout_gbps']} | {r['server_cpu_s_per_gb']} | "
              f"{r.get('window_cpu_s_per_gb', '–')} | {r.get('server_ctxsw_per_gb', '–')} | {r['client_cpu_share']:.0%} | {r.get('cpu_pressure', '–')} |"
              + (f" {latency.get('p50')} / {latency.get('p99')} | {reload.get('p50', '–')} / {reload.get('p99', '–')} |" if hls else "") + f" {'yes' if r['ok'] else 'no'} |")


if __name__ == "__main__":
    main()
