"""Run the simulator: python -m simulator [--host H] [--port P] [--seed FILE] [--tls --cert-dir DIR] [--ready-file PATH]
[--chaos SEED:RATE]."""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from .chaos import parse_chaos
from .core import Simulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(prog="python -m simulator", description="Local simulator of the WFBS, KooPhone, IoT Security and Altcraft APIs.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port to bind; 0 picks a free one (default 8787)")
    parser.add_argument("--seed", help="JSON seed file replacing vendor sections of the default seed")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a generated self-signed certificate")
    parser.add_argument("--cert-dir", help="where the TLS cert.pem/key.pem are written (default: a temp dir)")
    parser.add_argument("--ready-file", help="write the URL into this file once listening")
    parser.add_argument("--chaos", type=parse_chaos, metavar="SEED:RATE",
                        help="a seeded fault profile: that share of vendor requests (e.g. 7:0.05) gets a random fault")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM/SIGINT, then stop cleanly (exit status 0)."""
    args = parse_args(argv)
    sim = Simulator(seed=args.seed, host=args.host, port=args.port, tls=args.tls, cert_dir=args.cert_dir, chaos=args.chaos)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    sim.start()
    print(f"simulator listening on {sim.url}", flush=True)
    if sim.ca_file:
        print(f"simulator CA file: {sim.ca_file}", file=sys.stderr, flush=True)
    if args.ready_file:
        ready = Path(args.ready_file)
        temporary = ready.with_name(ready.name + ".tmp")
        temporary.write_text(sim.url + "\n", encoding="utf-8")
        temporary.replace(ready)  # atomic, so a script polling for the file never reads half of it
    while not stopping.wait(0.5):
        pass
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
