#!/usr/bin/env python3
"""Live fan-out load: the media server takes one synthetic 20 Mbps MPEG-TS ingest and serves it to N viewers.

For N in the given steps, benchmarks/LiveFanout pushes the stream to the ingest port and opens N viewers of
/live/live; a step passes when no viewer falls behind (each gets >= 95% of the ingested bytes in the window, none is
disconnected) and the ingest never stalls. Records the server's CPU seconds per GB sent to viewers. Stops at the
first step that fails. The server runs for the whole sweep and is stopped by its id.

    benchmarks/load/live.py [--mode stream|hls|hls-latency] [--steps 100,250,500,750,1000,1500] [--seconds 60] [--mbps 20] [--memory mapped|pinned]

--mode hls makes the viewers Low-Latency HLS clients (blocking playlist reloads and preload-hinted parts, as hls.js);
a step also fails when an HLS viewer skipped ahead or got an error, and the table adds the part delivery latency.
--mode hls-latency publishes one small frame every 300 ms (each publishes one part) to N blocked LL-HLS clients and
reports the latency from a frame's send to the delivery of its part and of the playlist listing it (e.g. --steps 50).
Requires ./build.sh samples and dotnet build -c Release benchmarks/LiveFanout.
"""
import argparse
import os
import json
import signal
import subprocess
import sys
from pathlib import Path

from run import ROOT, dll, free_port, process_cpu_seconds

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
    args = parser.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    http_port, ingest_port = free_port(), free_port()
    log = open(out / "live-mediaserver.log", "w")
    server = subprocess.Popen(["dotnet", dll("MediaServer"), "--port", str(http_port), "--ingest-port", str(ingest_port),
                               "--memory", args.memory, "--max-connections", str(args.max_connections),
                               "--max-connections-per-address", str(args.max_connections), "--log-level", "Warning"],
                              stdout=log, stderr=subprocess.STDOUT)
    tool = str(ROOT / "benchmarks" / "LiveFanout" / "bin" / "Release" / "net10.0" / "LiveFanout.dll")
    rows = []
    try:
        import time
        time.sleep(3)
        for viewers in map(int, args.steps.split(",")):
            cpu_before = process_cpu_seconds(server.pid)
            client_before = os.times()
            result = subprocess.run(["dotnet", tool, "--ingest-port", str(ingest_port), "--http-port", str(http_port),
                                     "--viewers", str(viewers), "--seconds", str(args.seconds), "--mbps", str(args.mbps), "--mode", args.mode],
                                    capture_output=True, text=True, timeout=args.seconds + 120)
            cpu = process_cpu_seconds(server.pid) - cpu_before
            client_after = os.times()
            client_cpu = (client_after.children_user - client_before.children_user) + (client_after.children_system - client_before.children_system)
            line = next((l for l in result.stdout.splitlines() if l.startswith("RESULT ")), None)
            if line is None:
                print(result.stdout, result.stderr, file=sys.stderr)
                break
            row = json.loads(line[len("RESULT "):])
            gb = row["fanout_gbps"] * row["seconds"]
            row["server_cpu_s"] = round(cpu, 2)
            row["server_cpu_s_per_gb"] = round(cpu / gb, 4) if gb else None
            # The viewers and the ingest (LiveFanout) run on the same cores: their CPU, 100% = one core, over the whole run.
            row["client_cpu_share"] = round(client_cpu / (row["seconds"] + 4), 2)
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
    print("\n| viewers | ingest Mbps | stalls | behind | disconnected | min viewer ratio | fan-out GB/s | server CPU s/GB | client CPU |"
          + (" part latency p50 / p99 ms | playlist latency p50 / p99 ms |" if hls else "") + " ok |")
    print("|---|---|---|---|---|---|---|---|---|" + ("---|---|" if hls else "") + "---|")
    for r in rows:
        latency = r.get("part_latency_ms", {})
        reload = r.get("playlist_latency_ms", {})
        print(f"| {r['viewers']} | {r['ingest_mbps']} | {r['ingest_stalls']} | {r['viewers_behind']} | {r['viewers_disconnected']} | "
              f"{r['min_viewer_ratio']} | {r['fanout_gbps']} | {r['server_cpu_s_per_gb']} | {r['client_cpu_share']:.0%} |"
              + (f" {latency.get('p50')} / {latency.get('p99')} | {reload.get('p50', '–')} / {reload.get('p99', '–')} |" if hls else "") + f" {'yes' if r['ok'] else 'no'} |")


if __name__ == "__main__":
    main()
