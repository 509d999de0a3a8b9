"""A TCP front-end for uvicorn that can drop a connection for real.

Clients talk to this proxy; it opens one upstream connection to uvicorn per
client connection and copies bytes both ways. uvicorn sees the upstream
connection's local port as the ASGI `client` port, so the app can ask
`drop(port)` to close the matching client connection: the client's socket is
closed with no answer (FIN, or RST with `reset=True`), exactly what a client
sees when a load balancer or a server process dies mid-request.

It runs on the same event loop as uvicorn, so `drop` is called directly from
the app's coroutine.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from dataclasses import dataclass

CHUNK = 65536


@dataclass(frozen=True)
class _Pair:
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter


class DroppingProxy:
    """Forwards 127.0.0.1 TCP connections to an upstream port; drops one on demand."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._pairs: dict[int, _Pair] = {}
        self._server: asyncio.Server | None = None

    async def start(self, listening: socket.socket) -> None:
        self._server = await asyncio.start_server(self._accept, sock=listening)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        port = int(up_writer.get_extra_info("sockname")[1])
        self._pairs[port] = _Pair(writer, up_writer)
        try:
            await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))
        finally:
            self._pairs.pop(port, None)
            for stream in (writer, up_writer):
                stream.close()

    @staticmethod
    async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(CHUNK):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            # One side is gone: end the other one too, as a single TCP connection would.
            writer.close()

    def drop(self, upstream_port: int, *, reset: bool) -> bool:
        """Close the client connection behind `upstream_port` without an answer."""
        pair = self._pairs.pop(upstream_port, None)
        if pair is None:
            return False
        if reset:
            raw = pair.client.get_extra_info("socket")
            if raw is not None:
                with contextlib.suppress(OSError):
                    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            pair.client.transport.abort()
        else:
            pair.client.close()
        pair.upstream.close()
        return True

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for pair in list(self._pairs.values()):
            pair.client.close()
            pair.upstream.close()
        self._pairs.clear()
        if self._server is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), timeout=5)
