"""The Simulator: the four vendor apps behind one server, with the request log, fault rules, knobs and seed."""
from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from . import control
from .altcraft import AltcraftApp
from .base import SimRequest, SimResponse, VendorApp, json_response
from .chaos import Chaos
from .faults import FaultRules
from .iot import IotApp
from .koophone import KooPhoneApp
from .rate_limit import RateLimiter
from .request_log import RequestLog
from .seed import load_seed_file, normalise
from .server import Server
from .settings import CoreSettings, Knobs, Settings
from .tls import server_context
from .wfbss import WfbssApp

VENDOR_APPS: tuple[type[VendorApp], ...] = (WfbssApp, KooPhoneApp, IotApp, AltcraftApp)


def knob_groups(core: Settings, vendors: dict[str, Settings]) -> dict[str, Settings]:
    """Knob prefix -> settings: each vendor's knobs are named "<vendor>_<field>", the core's just "<field>"."""
    groups = {f"{vendor}_": settings for vendor, settings in vendors.items()}
    groups[""] = core
    return groups


DEFAULT_KNOBS: dict[str, Any] = Knobs(knob_groups(CoreSettings(), {cls.name: cls.settings_class() for cls in VENDOR_APPS})).values()


class Simulator:  # pylint: disable=too-many-instance-attributes
    """All four vendor APIs on one local HTTP(S) server.

    >>> sim = Simulator().start(); sim.url  # doctest: +SKIP
    'http://127.0.0.1:40123'
    """

    def __init__(self, seed: dict[str, Any] | str | Path | None = None, host: str = "127.0.0.1", port: int = 0,
                 tls: bool = False, cert_dir: str | Path | None = None, chaos: tuple[int, float] | None = None) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.cert_dir = Path(cert_dir) if cert_dir else None
        self.ca_file: str | None = None
        self._own_cert_dir: Path | None = None
        self.lock = threading.RLock()  # held while a vendor app answers and while state changes
        self.limiter = RateLimiter()
        self.apps: list[VendorApp] = [cls(self.lock, self.limiter) for cls in VENDOR_APPS]
        self.settings = CoreSettings()
        self._knobs = Knobs(knob_groups(self.settings, {app.name: app.settings for app in self.apps}))
        self._log = RequestLog()
        self._faults = FaultRules()
        self._chaos = Chaos()
        self._startup_knobs = {"chaos_seed": chaos[0], "chaos_rate": chaos[1]} if chaos else {}
        self._knobs.update(self._startup_knobs)
        self._seed = load_seed_file(seed) if isinstance(seed, (str, Path)) else seed
        self._server: Server | None = None
        self.load_seed(self._seed)

    # ------------------------------------------------------------- lifecycle
    def start(self) -> Simulator:
        """Bind (generating the TLS cert first if needed) and serve in a background thread."""
        context = None
        if self.tls:
            cert_dir = self.cert_dir
            if cert_dir is None:  # a private key of our own making: removed again by stop()
                cert_dir = self._own_cert_dir = Path(tempfile.mkdtemp(prefix="fleetops-sim-tls-"))
            context, cert = server_context(cert_dir)
            self.ca_file = str(cert)
        self._server = Server((self.host, self.port), self.dispatch, context)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, name="simulator", daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving, close connections and cancel background timers."""
        if self._server is not None:
            self._server.stop()
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
        return self._log.entries()

    def clear_log(self) -> None:
        """Empty the request log."""
        self._log.clear()

    def inject(self, **fault: Any) -> dict[str, Any]:
        """Add a fault rule (fields as for POST /_sim/faults); returns it with its defaults."""
        return self._faults.add(fault).as_dict()

    @property
    def faults(self) -> list[dict[str, Any]]:
        """A copy of the fault rules with their `seen`/`fired` counters."""
        return self._faults.as_list()

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self._faults.clear()

    @property
    def knobs(self) -> dict[str, Any]:
        """Every knob with its current value (see DEFAULT_KNOBS)."""
        with self.lock:
            return self._knobs.values()

    def configure(self, **knobs: Any) -> dict[str, Any]:
        """Set knobs (see DEFAULT_KNOBS; ValueError for an unknown one or a wrong type); returns all knobs."""
        with self.lock:
            self._knobs.update(knobs)
            return self._knobs.values()

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
        """Back to the seed the simulator was started with; clears log, faults and knobs (chaos back to --chaos)."""
        with self.lock:
            self.load_seed(self._seed)
            self._log.clear()
            self._faults.clear()
            self._chaos.clear()
            self._knobs.restore_defaults()
            self._knobs.update(self._startup_knobs)

    def state(self, vendor: str | None = None) -> dict[str, Any]:
        """A JSON-safe snapshot of one vendor's state (or of all of them) for assertions."""
        with self.lock:
            states = {app.name: app.state() for app in self.apps if vendor in (None, app.name)}
        if not states:
            raise KeyError(vendor)
        return json.loads(json.dumps(states if vendor is None else states[vendor]))

    # -------------------------------------------------------------- requests
    def dispatch(self, request: SimRequest) -> SimResponse | None:
        """Answer one request: the control API, or a vendor's (None: drop the connection without an answer)."""
        if control.is_control(request):
            return control.answer(self, request)
        return self.serve_vendor(request)

    def serve_vendor(self, request: SimRequest) -> SimResponse | None:
        """Answer one vendor request, after the latency knob and the first fault that fires on it (a fault rule,
        else chaos). A fault that `applies_first` lets the vendor app handle the request before it answers."""
        app = next((candidate for candidate in self.apps if candidate.matches(request.path)), None)
        settings = self.settings
        if settings.latency_seconds:
            time.sleep(settings.latency_seconds)
        fault = self._faults.match(app.name if app else None, request)
        if fault is None and app is not None:
            fault = self._chaos.pick(settings.chaos_seed, settings.chaos_rate, settings.chaos_delay_seconds, request)
        if fault and fault.action == "delay":  # the request is applied after the delay, as by a slow service
            time.sleep(fault.delay)
        response: SimResponse | None = None
        applied = False
        if app is None:
            response = json_response(404, {"error": f"no simulated API at {request.path}"})
        elif fault is None or fault.applies_first:
            with self.lock:
                response = app.handle(request)
            applied = app.accepted(response)
        if fault and fault.action != "delay":
            response = fault.response(app)
        self._log.record(app, request, response, (fault.label or fault.action) if fault else None, applied=applied,
                         with_body=settings.log_bodies)
        return response
