"""The HTTP(S) server: reads each request (chunked bodies included), hands it to one function, sends its answer."""
from __future__ import annotations

import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, BinaryIO, Callable

from .base import SimRequest, SimResponse, json_response

# The function that answers a request; None means: close the connection without an answer.
Dispatch = Callable[[SimRequest], "SimResponse | None"]


def read_body(headers: Any, stream: BinaryIO) -> bytes:
    """The request body by Content-Length, or de-chunked (Transfer-Encoding: chunked); ValueError if unreadable."""
    if headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(stream.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while stream.readline() not in (b"\r\n", b"\n", b""):  # the trailer
                    pass
                return b"".join(chunks)
            chunks.append(stream.read(size))
            stream.readline()
    length = int(headers.get("Content-Length") or 0)
    return stream.read(length) if length > 0 else b""


class Handler(BaseHTTPRequestHandler):
    """One connection: every request on it goes to the server's dispatch function."""

    protocol_version = "HTTP/1.1"
    server_version = "fleetops-simulator/1.0"
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    # Headers and body go out in two writes: without TCP_NODELAY each answer would wait ~40 ms for a delayed ACK.
    disable_nagle_algorithm = True
    server: Server

    def log_message(self, format: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
        """Silence the default stderr access log (the simulator keeps its own request log)."""

    def _dispatch(self) -> None:
        try:
            body = read_body(self.headers, self.rfile)
        except ValueError:
            self._send(json_response(400, {"error": "unreadable request body"}))
            return
        response = self.server.dispatch(SimRequest(self.command, self.path, self.headers, body))
        if response is None:  # a "drop" fault: no response at all
            self.close_connection = True
            return
        try:
            self._send(response)
        except (BrokenPipeError, ConnectionResetError):  # the client stopped waiting (a slow answer)
            self.close_connection = True

    def _send(self, response: SimResponse) -> None:
        payload = response.encode()
        self.send_response(response.status)
        if payload or response.body is not None:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch


class Server(ThreadingHTTPServer):
    """A thread per connection; TLS (if any) is set up in that thread; stop() really stops answering."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], dispatch: Dispatch, ssl_context: ssl.SSLContext | None) -> None:
        self.dispatch = dispatch
        self.ssl_context = ssl_context
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Runs in the connection's own thread, so a slow TLS handshake never blocks accept()."""
        if self.ssl_context is not None:
            try:
                request.settimeout(30)
                request = self.ssl_context.wrap_socket(request, server_side=True)
                request.settimeout(None)
            except (ssl.SSLError, OSError):
                return
        with self.connections_lock:
            self.connections.add(request)
        try:
            self.RequestHandlerClass(request, client_address, self)
        finally:
            with self.connections_lock:
                self.connections.discard(request)
            if self.ssl_context is not None:
                request.close()

    def close_connections(self) -> None:
        """Shut down open keep-alive connections so a stopped server really stops answering."""
        with self.connections_lock:
            for connection in list(self.connections):
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        """Stop serving, release the port and close open connections."""
        self.shutdown()
        self.server_close()
        self.close_connections()
