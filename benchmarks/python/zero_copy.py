#!/usr/bin/env python3
"""The book's four measurements, re-run on this machine, so the C# numbers in docs/benchmarks.md have a peer.

    python3 benchmarks/python/zero_copy.py [--quick]

1. copy-slice 20 MB out of 100 MB:    chunk = video_data[o:o + size]                 (bytes: a copy)
2. view-slice 20 MB out of 100 MB:    chunk = memoryview(video_data)[o:o + size]     (a view: no copy)
3. receive 1 MB + splice:             chunk = sock.recv(size); b"".join([before, chunk, after])
4. receive-into 1 MB:                 sock.recv_into(memoryview(bytearray_cache)[o:o + size])

3 and 4 run twice: against the book's fake socket (bytes served from memory, no kernel) and against a real TCP
connection on 127.0.0.1 whose far end, a thread, never stops sending. Standard library only (timeit).
"""

import argparse
import os
import platform
import socket
import statistics
import sys
import threading
import timeit

MB = 1024 * 1024
VIDEO_SIZE = 100 * MB   # the book's 100 MB of random data
SLICE_SIZE = 20 * MB    # the chunk a seeking client asks for
CHUNK_SIZE = 1 * MB     # the chunk a live stream pushes
OFFSET = 1234           # the book's byte offset


class FakeSocket:
    """The book's fake socket: recv hands out a view of data already in memory; recv_into copies it into place."""

    def __init__(self, data):
        self._view = memoryview(data)

    def recv(self, size):
        return self._view[OFFSET:OFFSET + size]

    def recv_into(self, buffer):
        size = len(buffer)
        buffer[:] = self._view[OFFSET:OFFSET + size]
        return size


class LoopbackSender:
    """A real TCP connection on 127.0.0.1; a thread keeps sending so that every receive finds data waiting."""

    def __init__(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        self.receiver = socket.create_connection(listener.getsockname())
        self._sender, _ = listener.accept()
        listener.close()
        self._payload = os.urandom(CHUNK_SIZE)
        self._thread = threading.Thread(target=self._send_forever, daemon=True)
        self._thread.start()

    def _send_forever(self):
        try:
            while True:
                self._sender.sendall(self._payload)
        except OSError:
            pass  # the receiver closed: the measurement is over

    def close(self):
        self.receiver.close()
        self._sender.close()
        self._thread.join(timeout=10)


def recv_exactly(sock, size):
    """sock.recv(size) until size bytes arrived (a real socket returns what it has), joined into one bytes."""
    pieces, remaining = [], size
    while remaining:
        piece = sock.recv(remaining)
        if not piece:
            raise ConnectionError("the sender closed the connection")
        pieces.append(piece)
        remaining -= len(piece)
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def recv_into_exactly(sock, view):
    """sock.recv_into(view) until the view is full."""
    received = 0
    while received < len(view):
        count = sock.recv_into(view[received:])
        if not count:
            raise ConnectionError("the sender closed the connection")
        received += count
    return received


def measure(statement, repeat, min_time):
    """Seconds per call of statement: timeit's autorange picks the loop count, then repeat runs; returns all samples."""
    timer = timeit.Timer(statement)
    number = 1
    while True:  # like Timer.autorange, but up to min_time rather than 0.2 s
        if timer.timeit(number) >= min_time:
            break
        number *= 2 if number < 10 else 10
    return [t / number for t in timer.repeat(repeat=repeat, number=number)]


def format_time(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:,.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs (to check the script works)")
    args = parser.parse_args()
    repeat, min_time = (3, 0.05) if args.quick else (7, 0.5)

    video_data = os.urandom(VIDEO_SIZE)
    video_cache = bytearray(video_data)  # the mutable cache receive-into writes to
    fake = FakeSocket(video_data)
    loopback = LoopbackSender()

    state = {"cache": video_data}

    def copy_slice():
        return video_data[OFFSET:OFFSET + SLICE_SIZE]

    def view_slice():
        return memoryview(video_data)[OFFSET:OFFSET + SLICE_SIZE]

    def splice(chunk):
        # The book's naive write: the cache is immutable bytes, so build a new one around the chunk.
        cache = state["cache"]
        before = cache[:OFFSET]
        after = cache[OFFSET + CHUNK_SIZE:]
        state["cache"] = b"".join([before, chunk, after])

    def fake_recv_splice():
        splice(fake.recv(CHUNK_SIZE))

    def fake_recv_into():
        fake.recv_into(memoryview(video_cache)[OFFSET:OFFSET + CHUNK_SIZE])

    def loopback_recv_splice():
        splice(recv_exactly(loopback.receiver, CHUNK_SIZE))

    def loopback_recv_into():
        recv_into_exactly(loopback.receiver, memoryview(video_cache)[OFFSET:OFFSET + CHUNK_SIZE])

    cases = [
        ("copy-slice 20 MB (bytes)", "4.9 ms", SLICE_SIZE, copy_slice),
        ("view-slice 20 MB (memoryview)", "250 ns", SLICE_SIZE, view_slice),
        ("fake socket: recv 1 MB + join", "33 ms", CHUNK_SIZE, fake_recv_splice),
        ("fake socket: recv_into 1 MB", "33 µs", CHUNK_SIZE, fake_recv_into),
        ("loopback TCP: recv 1 MB + join", "-", CHUNK_SIZE, loopback_recv_splice),
        ("loopback TCP: recv_into 1 MB", "-", CHUNK_SIZE, loopback_recv_into),
    ]

    header = ("case", "median per op", "min", "max", "ops/s", "MB/s", "book (per op)")
    rows = []
    try:
        for name, book, size, function in cases:
            print(f"measuring: {name}", file=sys.stderr, flush=True)
            samples = measure(function, repeat, min_time)
            median = statistics.median(samples)
            rows.append((name, format_time(median), format_time(min(samples)), format_time(max(samples)),
                         f"{1 / median:,.0f}", f"{size / MB / median:,.0f}", book))
    finally:
        loopback.close()

    print(f"Python {platform.python_version()} ({platform.python_implementation()}) on {platform.machine()}, "
          f"{os.cpu_count()} logical CPUs; median, min and max of {repeat} runs of >= {min_time} s each")
    print()

    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")


if __name__ == "__main__":
    main()
