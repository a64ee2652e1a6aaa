"""The Python peer: an asyncio HTTP/1.1 server that answers byte-range GETs with memoryview slices of a file held
in memory, sent with loop.sock_sendall (which slices its memoryview as it goes, never copying the payload).

    python3 python_server.py --port 8093 --file load.bin --name load.bin
"""
import argparse
import asyncio
import re
import socket

RANGE = re.compile(rb"^range:\s*bytes=(\d+)-(\d+)\s*$", re.IGNORECASE | re.MULTILINE)


async def serve_client(loop, client, view, path):
    buffer = b""
    try:
        while True:
            while b"\r\n\r\n" not in buffer:
                chunk = await loop.sock_recv(client, 65536)
                if not chunk or len(buffer) > 65536:
                    return
                buffer += chunk
            head, buffer = buffer.split(b"\r\n\r\n", 1)
            request_line = head.split(b"\r\n", 1)[0].split(b" ")
            match = RANGE.search(head)
            if len(request_line) != 3 or request_line[0] != b"GET" or request_line[1] != path:
                await loop.sock_sendall(client, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                continue
            size = len(view)
            if match:
                first, last = int(match.group(1)), min(int(match.group(2)), size - 1)
                if first > last:
                    await loop.sock_sendall(client, b"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */%d\r\nContent-Length: 0\r\n\r\n" % size)
                    continue
                header = b"HTTP/1.1 206 Partial Content\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes %d-%d/%d\r\nContent-Length: %d\r\n\r\n" % (first, last, size, last - first + 1)
            else:
                first, last = 0, size - 1
                header = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % size
            await loop.sock_sendall(client, header)
            await loop.sock_sendall(client, view[first:last + 1])
    except (ConnectionError, OSError):
        pass
    finally:
        client.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--name", required=True)
    args = parser.parse_args()
    with open(args.file, "rb") as f:
        data = bytearray(f.read())
    view = memoryview(data)
    path = b"/videos/" + args.name.encode()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(512)
    listener.setblocking(False)
    loop = asyncio.get_running_loop()
    print(f"python peer listening on http://127.0.0.1:{args.port}{path.decode()}", flush=True)
    while True:
        client, _ = await loop.sock_accept(listener)
        client.setblocking(False)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        loop.create_task(serve_client(loop, client, view, path))


if __name__ == "__main__":
    asyncio.run(main())
