"""The server core: routing to vendor apps, request log, faults, rate limiting, control API, TLS."""
from __future__ import annotations

import copy
import functools
import itertools
import json
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode

from .altcraft import AltcraftApp
from .base import SimRequest, SimResponse, VendorApp, json_response
from .iot import IotApp
from .koophone import KooPhoneApp
from .seed import load_seed_file, normalise
from .wfbss import WfbssApp

DEFAULT_KNOBS: dict[str, Any] = {
    "wfbss_auth_status": 401,
    "wfbss_clock_skew_seconds": 900,
    "koophone_token_ttl_seconds": 86400,
    "koophone_response_shape": "2025",
    "koophone_foreign_instance": "401",
    "koophone_job_seconds": 1.0,
    "koophone_job_fail_ids": [],
    "iot_rate_limit_per_minute": 180,
    "iot_rate_burst": None,
    "iot_list_rate_limit_per_minute": 60,
    "iot_list_rate_burst": None,
    "iot_retry_after": None,
    "iot_token_ttl_seconds": 899,
    "iot_token_expires_in": None,
    "iot_scm_auth_status": 401,
    "altcraft_task_seconds": 1.0,
    "altcraft_task_fail": False,
    "altcraft_error_http_status": 200,
    "altcraft_get_counters_shape": "channels",
    "latency_seconds": 0,
}
FAULT_ACTIONS = ("status", "drop", "delay", "malformed", "html", "empty", "vendor_error")
SECRET_QUERY_NAMES = ("token", "key", "secret", "password", "signature")
HTML_PAGE = (b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>"
             b"<hr><center>simulated-proxy</center></body></html>")
MALFORMED_BODY = b'{"data": {"status": "compl'


class TokenBucket:  # pylint: disable=too-few-public-methods
    """Refills `rate_per_minute / 60` tokens a second up to `burst`; each request takes one."""

    def __init__(self, rate_per_minute: float, burst: float) -> None:
        self.rate, self.burst = rate_per_minute, burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self) -> bool:
        """Take one token if there is one."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate / 60.0)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class RateLimiter:
    """Token buckets by key (e.g. per tenant); a bucket is rebuilt when its parameters change."""

    def __init__(self) -> None:
        self.buckets: dict[str, TokenBucket] = {}
        self.lock = threading.Lock()

    def allow(self, key: str, rate_per_minute: float, burst: float) -> bool:
        """Take a token from the bucket `key`; False means the request is over the limit."""
        with self.lock:
            bucket = self.buckets.get(key)
            if bucket is None or (bucket.rate, bucket.burst) != (rate_per_minute, burst):
                bucket = self.buckets[key] = TokenBucket(rate_per_minute, burst)
            return bucket.take()

    def clear(self) -> None:
        """Forget all buckets (they refill to full on next use)."""
        with self.lock:
            self.buckets.clear()


def make_fault(spec: dict[str, Any]) -> dict[str, Any]:
    """Validate a fault rule and fill in its defaults."""
    allowed = {"vendor", "method", "path_contains", "skip", "count", "action", "status", "retry_after", "delay", "error_code", "error_text"}
    unknown = set(spec) - allowed
    if unknown:
        raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
    action = spec.get("action", "status")
    if action not in FAULT_ACTIONS:
        raise ValueError(f"action must be one of {', '.join(FAULT_ACTIONS)}")
    rule = {"vendor": None, "method": None, "path_contains": None, "skip": 0, "count": 1, "action": action,
            "status": 503, "retry_after": None, "delay": 1.0, "error_code": None, "error_text": "simulated vendor error"}
    rule.update(spec)
    rule.update(seen=0, fired=0)
    return rule


def fault_applies(rule: dict[str, Any], vendor: str | None, request: SimRequest) -> bool:
    """True when the request matches the rule's vendor, method and path filters."""
    if rule["vendor"] and rule["vendor"] != vendor:
        return False
    if rule["method"] and rule["method"].upper() != request.method:
        return False
    return not rule["path_contains"] or rule["path_contains"] in request.raw_path


def redact_query(query: str) -> str:
    """The raw query with the values of secret-looking parameters masked (the log never holds secrets)."""
    if not query or not any(word in query.lower() for word in SECRET_QUERY_NAMES):
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(name, "***" if any(word in name.lower() for word in SECRET_QUERY_NAMES) else value) for name, value in pairs])


def generate_certificate(cert_dir: Path) -> tuple[Path, Path]:
    """A self-signed cert for 127.0.0.1/localhost in cert_dir (reused while valid for another hour)."""
    cert, key = cert_dir / "cert.pem", cert_dir / "key.pem"
    if cert.exists() and key.exists():
        check = subprocess.run(["openssl", "x509", "-checkend", "3600", "-noout", "-in", str(cert)], capture_output=True, check=False)
        if check.returncode == 0:
            return cert, key
    cert_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fleetops-simulator/1.0"
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    # Headers and body go out in two writes: without TCP_NODELAY each answer would wait ~40 ms for a delayed ACK.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
        """Silence the default stderr access log (the simulator keeps its own request log)."""

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self._send(json_response(400, {"error": "unreadable request body"}))
            return
        request = SimRequest(self.command, self.path, self.headers, body)
        sim = self.server.sim
        if request.path == "/_sim" or request.path.startswith("/_sim/"):
            response = sim.control(request)
        else:
            response = sim.serve_vendor(request)
        if response is None:  # a "drop" fault: no response at all
            self.close_connection = True
            return
        self._send(response)

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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], sim: Simulator, ssl_context: ssl.SSLContext | None) -> None:
        self.sim = sim
        self.ssl_context = ssl_context
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

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


class Simulator:  # pylint: disable=too-many-instance-attributes
    """All four vendor APIs on one local HTTP(S) server.

    >>> sim = Simulator().start(); sim.url  # doctest: +SKIP
    'http://127.0.0.1:40123'
    """

    def __init__(self, seed: dict[str, Any] | str | Path | None = None, host: str = "127.0.0.1", port: int = 0,
                 tls: bool = False, cert_dir: str | Path | None = None) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.cert_dir = Path(cert_dir) if cert_dir else None
        self.ca_file: str | None = None
        self._own_cert_dir: Path | None = None
        self.lock = threading.RLock()
        self.knobs: dict[str, Any] = dict(DEFAULT_KNOBS)
        self.limiter = RateLimiter()
        self.apps: list[VendorApp] = [cls(self.knobs, self.lock, self.limiter) for cls in (WfbssApp, KooPhoneApp, IotApp, AltcraftApp)]
        self._seed = load_seed_file(seed) if isinstance(seed, (str, Path)) else seed
        self._log: list[dict[str, Any]] = []
        self._faults: list[dict[str, Any]] = []
        self._seq = itertools.count(1)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.load_seed(self._seed)

    # ------------------------------------------------------------- lifecycle
    def start(self) -> Simulator:
        """Bind (generating the TLS cert first if needed) and serve in a background thread."""
        context = None
        if self.tls:
            cert_dir = self.cert_dir
            if cert_dir is None:  # a private key of our own making: removed again by stop()
                cert_dir = self._own_cert_dir = Path(tempfile.mkdtemp(prefix="fleetops-sim-tls-"))
            cert, key = generate_certificate(cert_dir)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(cert), str(key))
            self.ca_file = str(cert)
        self._server = _Server((self.host, self.port), self, context)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, name="simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close connections and cancel background timers."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
            self._server = None
        for app in self.apps:
            app.shutdown()
        if self._own_cert_dir is not None:
            shutil.rmtree(self._own_cert_dir, ignore_errors=True)
            self._own_cert_dir = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:8787."""
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    # ------------------------------------------------------------ python API
    @property
    def requests(self) -> list[dict[str, Any]]:
        """A copy of the request log."""
        with self.lock:
            return copy.deepcopy(self._log)

    def clear_log(self) -> None:
        """Empty the request log."""
        with self.lock:
            self._log.clear()

    def inject(self, **fault: Any) -> dict[str, Any]:
        """Add a fault rule (fields as for POST /_sim/faults); returns it with its defaults."""
        rule = make_fault(fault)
        with self.lock:
            self._faults.append(rule)
        return dict(rule)

    @property
    def faults(self) -> list[dict[str, Any]]:
        """A copy of the fault rules with their `seen`/`fired` counters."""
        with self.lock:
            return copy.deepcopy(self._faults)

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        with self.lock:
            self._faults.clear()

    def configure(self, **knobs: Any) -> dict[str, Any]:
        """Set knobs (see DEFAULT_KNOBS); returns all knobs."""
        unknown = set(knobs) - set(DEFAULT_KNOBS)
        if unknown:
            raise ValueError(f"unknown knobs: {', '.join(sorted(unknown))}")
        with self.lock:
            self.knobs.update(knobs)
            return dict(self.knobs)

    def load_seed(self, seed: dict[str, Any] | None) -> None:
        """Replace every vendor's state (sections missing from `seed` get the defaults)."""
        try:
            sections = normalise(seed)
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"invalid seed: missing or malformed field {exc}") from exc
        with self.lock:
            for app in self.apps:
                app.load(sections[app.name])
            self.limiter.clear()

    def reset(self) -> None:
        """Back to the seed the simulator was started with; clears log, faults and knobs."""
        with self.lock:
            self.load_seed(self._seed)
            self._log.clear()
            self._faults.clear()
            self.knobs.clear()
            self.knobs.update(DEFAULT_KNOBS)

    def state(self, vendor: str | None = None) -> dict[str, Any]:
        """A JSON-safe snapshot of one vendor's state (or of all of them) for assertions."""
        with self.lock:
            states = {app.name: app.state() for app in self.apps if vendor in (None, app.name)}
        if not states:
            raise KeyError(vendor)
        return json.loads(json.dumps(states if vendor is None else states[vendor]))

    # ------------------------------------------------------- vendor requests
    def _match_fault(self, vendor: str | None, request: SimRequest) -> dict[str, Any] | None:
        chosen = None
        with self.lock:
            for rule in self._faults:
                if not fault_applies(rule, vendor, request):
                    continue
                rule["seen"] += 1
                active = rule["seen"] > rule["skip"] and (rule["count"] < 0 or rule["fired"] < rule["count"])
                if active and chosen is None:
                    rule["fired"] += 1
                    chosen = dict(rule)
        return chosen

    @staticmethod
    def _fault_response(fault: dict[str, Any], app: VendorApp | None) -> SimResponse | None:
        action = fault["action"]
        headers = {"Retry-After": str(fault["retry_after"])} if fault["retry_after"] is not None else {}
        if action == "drop":
            return None
        if action == "malformed":
            return SimResponse(200, MALFORMED_BODY, headers)
        if action == "html":
            return SimResponse(502, HTML_PAGE, headers, content_type="text/html")
        if action == "empty":
            return SimResponse(200, b"", headers)
        if action == "vendor_error":
            body = app.vendor_error(fault["error_code"], fault["error_text"]) if app else {"error": fault["error_text"]}
            return json_response(200, body, headers)
        status = int(fault["status"])
        return json_response(status, {"error": "simulated fault", "status": status}, headers)

    def serve_vendor(self, request: SimRequest) -> SimResponse | None:
        """Answer one vendor request (None means: drop the connection without a response)."""
        app = next((candidate for candidate in self.apps if candidate.matches(request.path)), None)
        if self.knobs["latency_seconds"]:
            time.sleep(float(self.knobs["latency_seconds"]))
        fault = self._match_fault(app.name if app else None, request)
        if fault and fault["action"] == "delay":
            time.sleep(float(fault["delay"]))
        if fault and fault["action"] != "delay":
            response = self._fault_response(fault, app)
        elif app is None:
            response = json_response(404, {"error": f"no simulated API at {request.path}"})
        else:
            with self.lock:
                response = app.handle(request)
        self._record(app, request, response, fault)
        return response

    def _record(self, app: VendorApp | None, request: SimRequest, response: SimResponse | None, fault: dict[str, Any] | None) -> None:
        entry = {
            "seq": next(self._seq),
            "time": round(time.time(), 3),
            "vendor": app.name if app else None,
            "method": request.method,
            "path": request.path,
            "query": redact_query(request.query_string),
            "status": response.status if response else None,
            "kind": app.kind(request) if app else "read",
            "request_id": app.request_id(request) if app else None,
            "fault": fault["action"] if fault else None,
        }
        with self.lock:
            self._log.append(entry)

    # ----------------------------------------------------------- control API
    def _control_routes(self) -> dict[tuple[str, str], Callable[[dict[str, Any]], Any]]:
        """(method, path) -> function(json body) returning the JSON answer."""
        def acknowledged(action: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
            def run(body: dict[str, Any]) -> dict[str, Any]:
                action(body)
                return {"ok": True}
            return run
        return {
            ("GET", "/_sim/health"): lambda body: {"ok": True},
            ("GET", "/_sim/requests"): lambda body: {"requests": self.requests},
            ("DELETE", "/_sim/requests"): acknowledged(lambda body: self.clear_log()),
            ("GET", "/_sim/faults"): lambda body: {"faults": self.faults},
            ("POST", "/_sim/faults"): lambda body: {"ok": True, "fault": self.inject(**body)},
            ("DELETE", "/_sim/faults"): acknowledged(lambda body: self.clear_faults()),
            ("GET", "/_sim/config"): lambda body: {"knobs": self.configure()},
            ("POST", "/_sim/config"): lambda body: {"ok": True, "knobs": self.configure(**body)},
            ("POST", "/_sim/reset"): acknowledged(lambda body: self.reset()),
            ("POST", "/_sim/seed"): acknowledged(self.load_seed),
            ("GET", "/_sim/state"): lambda body: self.state(),
        }

    def control(self, request: SimRequest) -> SimResponse:
        """The /_sim/ endpoints (JSON in, JSON out)."""
        path = request.path.rstrip("/")
        action = self._control_routes().get((request.method, path))
        if action is None and request.method == "GET" and path.startswith("/_sim/state/"):
            action = functools.partial(lambda body, vendor: self.state(vendor), vendor=path[len("/_sim/state/"):])
        if action is None:
            return json_response(404, {"error": f"unknown control endpoint: {request.method} {request.path}"})
        try:
            body = request.json() if request.body else {}
            if not isinstance(body, dict):
                raise ValueError("the request body must be a JSON object")
            return json_response(200, action(body))
        except KeyError as exc:
            return json_response(404, {"error": f"unknown vendor: {exc}"})
        except (ValueError, TypeError, AttributeError) as exc:
            return json_response(400, {"error": str(exc)})
