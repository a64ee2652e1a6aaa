#!/usr/bin/env python3
"""ChunkServer before and after sendfile(2): the book's request_chunk against `ChunkServer serve --memory pinned` (send(2)
from pinned arrays) and `--memory mapped` (sendfile(2) from shared memory), interleaved, on 127.0.0.1.

Each round runs CLIENTS connections for SECONDS, each asking for random 20 MB chunks of the 100 MB demo video and
discarding them with recv_into a reused buffer (the client copies once, as any client does). Records the server's CPU
seconds per GB (utime + stime from /proc) and GB/s.

    benchmarks/load/chunks.py [--seconds 8] [--rounds 2] [--clients 8] [--size 20000000] [--media DIR --video NAME]

Without --media the servers hold the built-in 100 MB demo video (pinned arrays, or shared memory when mapped); with it,
the files of DIR (loaded, or mapped read-only with VideoCache.OpenFile when mapped).
Requires ./build.sh samples.
"""
import argparse
import os
import random
import signal
import socket
import statistics
import struct
import subprocess
import threading
import time

from run import dll, free_port, process_cpu_seconds

DEMO_SIZE = 100_000_000


def client(port, size, deadline, totals, seed, video, video_size):
    rng = random.Random(seed)
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    with socket.create_connection(("127.0.0.1", port)) as s:
        while time.monotonic() < deadline:
            offset = rng.randrange(0, video_size - size)
            name = video.encode()
            s.sendall(bytes([len(name)]) + name + struct.pack(">QI", offset, size))
            header = b""
            while len(header) < 9:
                header += s.recv(9 - len(header))
            status, length = header[0], struct.unpack(">Q", header[1:])[0]
            if status != 0 or length != size:
                raise RuntimeError(f"status {status}, length {length}")
            left = length
            while left:
                left -= s.recv_into(view[:min(left, len(buffer))])
            totals.append(length)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--size", type=int, default=20_000_000)
    parser.add_argument("--media", help="serve this folder's files instead of the demo video")
    parser.add_argument("--video", default="demo", help="the video id the clients ask for")
    args = parser.parse_args()
    video_size = os.path.getsize(os.path.join(args.media, args.video)) if args.media else DEMO_SIZE
    media = ["--media", args.media] if args.media else []

    servers = {}
    try:
        for memory in ("pinned", "mapped"):
            port = free_port()
            process = subprocess.Popen(["dotnet", dll("ChunkServer"), "serve", "--port", str(port), "--memory", memory, *media],
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            while "listening" not in (process.stdout.readline() or "listening"):
                pass
            servers[memory] = (process, port)
        rows = {name: [] for name in servers}
        for _ in range(args.rounds):
            for name, (process, port) in servers.items():
                totals = []
                cpu_before = process_cpu_seconds(process.pid)
                client_before = os.times()
                start = time.monotonic()
                threads = [threading.Thread(target=client, args=(port, args.size, start + args.seconds, totals, i, args.video, video_size)) for i in range(args.clients)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                elapsed = time.monotonic() - start
                cpu = process_cpu_seconds(process.pid) - cpu_before
                client_after = os.times()
                client_cpu = (client_after.user - client_before.user) + (client_after.system - client_before.system)
                gb = sum(totals) / 1e9
                rows[name].append((gb / elapsed, cpu / gb, client_cpu / elapsed))
        print("| server | GB/s (median) | CPU s/GB (median) | client CPU (median; 100% = one core) | rounds |")
        print("|---|---|---|---|---|")
        for name, values in rows.items():
            print(f"| ChunkServer --memory {name} | {statistics.median(v[0] for v in values):.2f} | {statistics.median(v[1] for v in values):.3f} | {statistics.median(v[2] for v in values):.0%} | {len(values)} |")
    finally:
        for process, _ in servers.values():
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)


if __name__ == "__main__":
    main()
