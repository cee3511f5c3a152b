"""Regenerate the demo fleet, or write a fleet N times its size: inventory hosts, the IoT source-of-truth files and
the simulator seed.

Everything is deterministic (fixed seeds), so running this again produces the same files:

    python3 demo/generate.py                            # the demo fleet itself: demo/inventory/hosts.yml,
                                                        # demo/data/iot/*, demo/simulator-seed.json
    python3 demo/generate.py --scale 100 --out DIR      # a fleet 100 times the demo's in DIR (demo/ untouched):
                                                        # DIR/inventory/ (hosts.yml and the demo's group_vars),
                                                        # DIR/data/iot/*, DIR/simulator-seed.json, DIR/demo-credentials.json
    FLEETOPS_DEMO_FLEET=DIR bash scripts/demo           # the main job on that fleet

The demo fleet (scale 1; customers, instances and IoT devices are multiplied by the scale, the rest stays):
  * 50 Trend Micro WFBS-SVC customers across 3 partner accounts (20 + 18 + 12);
  * 200 Huawei Cloud KooPhone cloud phones in one project (one of them frozen);
  * 3 IoT Security tenants: two on the legacy API key (5,000 devices in a CSV, of which the tenant knows 4,990,
    and 24 in YAML) and one on Strata Cloud Manager (60 devices in a CSV, with session times);
  * 3 Altcraft resources with 2 databases each.
Only fake, documentation-range data is used; the credentials are the simulator's demo credentials.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import string
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
INVENTORY = HERE / "inventory"
NAMESPACE = uuid.UUID("0b7c3f2e-6d5a-4e1f-9a8b-7c6d5e4f3a2b")

WFBSS_ACCOUNTS = [("partner-north", 20), ("partner-south", 18), ("partner-east", 12)]
FIRST = ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Proseware", "Adatum", "Woodgrove",
         "Lucerne", "Margie", "Wingtip", "Alpine", "Coho", "Fourth", "Humongous", "Trey", "Wide World",
         "Blue Yonder", "Graphic", "Relecloud", "Bellows", "Datum", "Southridge", "Consolidated", "VanArsdel"]
SECOND = ["Dental", "Logistics", "Legal", "Bakery", "Clinic", "Motors", "Accounting", "Hotels", "Pharmacy",
          "Architects", "Florists", "Studios"]
KOOPHONE_INSTANCES = 200
KOOPHONE_FROZEN = [57]
IOT_CSV_DEVICES = 5000
IOT_CSV_KNOWN = 4990          # the tenant knows the first 4,990 addresses; 10 are unknown to it
IOT_YAML_DEVICES = 24
IOT_SCM_DEVICES = 60
IOT_SCM_TSG_ID = "1570000042"
ALTCRAFT_RESOURCES = [(101, "Newsletter"), (102, "Loyalty programme"), (103, "Transactional mail")]

DEMO_CREDENTIALS = {
    "wfbss": {name: {"access_token": str(uuid.uuid5(NAMESPACE, f"token-{name}")), "secret_key": f"demo-{name}-secret"}
              for name, _count in WFBSS_ACCOUNTS},
    "koophone_token": "demo-koophone-token",
    "iot": {"acme-logistics": {"customer_id": "acme-logistics", "key_id": "demo-acme-key-id", "access_key": "demo-acme-access-key"},
            "beta-retail": {"customer_id": "beta-retail", "key_id": "demo-beta-key-id", "access_key": "demo-beta-access-key"},
            "gamma-transit": {"client_id": f"demo-gamma@{IOT_SCM_TSG_ID}.iam.panserviceaccount.com",
                              "client_secret": "demo-gamma-client-secret"}},
    "altcraft_token": "demo-altcraft-token",
}


def luhn_digit(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            value -= 9 if value > 9 else 0
        total += value
    return str((10 - total % 10) % 10)


def customers(scale: int) -> list[dict]:
    rng = random.Random("demo-wfbss")
    names = [f"{a} {b}" for a in FIRST for b in SECOND]
    rng.shuffle(names)
    out, number = [], 0
    for account, count in WFBSS_ACCOUNTS:
        for _index in range(count * scale):
            number += 1
            # past the 300 names of the list, a name comes round again with a number (names stay unique)
            name = names[(number - 1) % len(names)]
            if number > len(names):
                name += f" {(number - 1) // len(names) + 1}"
            out.append({"host": f"cust-{number:03d}", "account": account, "name": name,
                        "id": str(uuid.uuid5(NAMESPACE, f"customer-{number}")).upper()})
    return out


def instances(scale: int) -> list[str]:
    rng = random.Random("demo-koophone")
    alphabet = string.ascii_lowercase + string.digits
    ids: list[str] = []
    seen: set[str] = set()
    while len(ids) < KOOPHONE_INSTANCES * scale:
        candidate = "".join(rng.choice(alphabet) for _index in range(8))
        if candidate not in seen:
            seen.add(candidate)
            ids.append(candidate)
    return ids


def frozen(number: int) -> bool:
    """Whether phone ``number`` (from 1) is frozen: the demo's one frozen phone, once in every 200."""
    return (number - 1) % KOOPHONE_INSTANCES in KOOPHONE_FROZEN


def ipv4(prefix: int, index: int) -> str:
    """Address number ``index`` from 10.<prefix>.0.1 on, 250 a /24 and 62,500 a /16, as simulator/seed.py counts."""
    return f"10.{prefix + index // 62500}.{index // 250 % 250}.{index % 250 + 1}"


def sim_ipv4(index: int) -> str:
    """The address the simulator gives generated device number `index` (simulator/seed.py iot_device_ipv4)."""
    return ipv4(20, index)


def cellular(rng: random.Random, index: int) -> dict:
    imei = "35" + "".join(rng.choice(string.digits) for _index in range(12))
    return {
        "imei": imei + luhn_digit(imei),
        "iccid": "8931" + "".join(rng.choice(string.digits) for _index in range(15)),
        "imsi": "20404" + "".join(rng.choice(string.digits) for _index in range(10)),
        "apn": rng.choice(["iot.fleet.example", "m2m.fleet.example"]),
        "msisdn": "+3197" + "".join(rng.choice(string.digits) for _index in range(9)),
        "session_event_type": "start" if index % 7 else "update",
    }


def write_iot_files(out: Path, scale: int) -> None:
    data = out / "data" / "iot"
    data.mkdir(parents=True, exist_ok=True)
    rng = random.Random("demo-iot-acme")
    rows = ["ip_address,imei,iccid,imsi,apn,msisdn,session_event_type"]
    known = IOT_CSV_KNOWN * scale
    for index in range(IOT_CSV_DEVICES * scale):
        # the tenant knows the first addresses; the others (10.99.x.x) are unknown to it
        address = sim_ipv4(index) if index < known else ipv4(99, index - known)
        c = cellular(rng, index)
        rows.append(",".join([address, c["imei"], c["iccid"], c["imsi"], c["apn"], c["msisdn"], c["session_event_type"]]))
    (data / "acme-logistics.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")

    rng = random.Random("demo-iot-beta")
    lines = ["---", "# Cellular attributes of the beta-retail tenant's routers (source of truth, one item a device)."]
    for index in range(IOT_YAML_DEVICES * scale):
        c = cellular(rng, index)
        lines.append(f"- ip_address: {sim_ipv4(index)}")
        for key in ("imei", "iccid", "imsi", "apn", "msisdn"):
            lines.append(f'  {key}: "{c[key]}"')
    (data / "beta-retail.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    rng = random.Random("demo-iot-gamma")
    rows = ["ip_address,imei,iccid,imsi,apn,msisdn,session_start,session_end"]
    for index in range(IOT_SCM_DEVICES * scale):
        c = cellular(rng, index)
        day = 1 + index % 28
        # every other SIM reports its ICCID as read from the card: 19 digits and the hex filler F
        iccid = c["iccid"][:18] + "F" if index % 2 else c["iccid"]
        rows.append(",".join([sim_ipv4(index), c["imei"], iccid, c["imsi"], c["apn"], c["msisdn"],
                              f"2026-01-{day:02d}T06:00:00.000Z", f"2026-01-{day:02d}T18:00:00.000Z"]))
    (data / "gamma-transit.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def write_inventory(out: Path, custs: list[dict], phones: list[str]) -> None:
    lines = [
        "---",
        "# The demo fleet (generated by demo/generate.py; do not edit by hand).",
        "# Hosts are not contacted: every chore calls the vendors' APIs from the controller.",
        "all:",
        "  children:",
        "    wfbss_customers:",
        "      children:",
    ]
    for account, _count in WFBSS_ACCOUNTS:
        group = "wfbss_" + account.replace("-", "_")
        lines += [f"        {group}:", "          vars:", f"            wfbss_account: {account}", "          hosts:"]
        for cust in (c for c in custs if c["account"] == account):
            lines += [f"            {cust['host']}:",
                      f"              wfbss_customer_id: {cust['id']}",
                      f"              wfbss_customer_name: {cust['name']}"]
    lines += ["    koophone_instances:", "      hosts:"]
    for number, iid in enumerate(phones, start=1):
        lines += [f"        phone-{number:04d}:", f"          koophone_instance_id: {iid}"]
    lines += [
        "    iot_tenants:",
        "      hosts:",
        "        acme-logistics:",
        "          iot_customer_id: acme-logistics",
        "          iot_devices_source: ../data/iot/acme-logistics.csv",
        "        beta-retail:",
        "          iot_customer_id: beta-retail",
        "          iot_devices_source: ../data/iot/beta-retail.yml",
        "        gamma-transit:",
        f"          iot_tsg_id: \"{IOT_SCM_TSG_ID}\"",
        "          iot_devices_source: ../data/iot/gamma-transit.csv",
        "    altcraft_resources:",
        "      hosts:",
    ]
    for rid, name in ALTCRAFT_RESOURCES:
        slug = name.lower().replace(" ", "-")
        lines += [f"        {slug}:", f"          altcraft_resource_id: {rid}", "          altcraft_list_ids: [1, 2]"]
    inventory = out / "inventory"
    inventory.mkdir(parents=True, exist_ok=True)
    (inventory / "hosts.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if inventory != INVENTORY:   # a fleet elsewhere runs with the demo's settings
        shutil.copytree(INVENTORY / "group_vars", inventory / "group_vars", dirs_exist_ok=True)


def write_seed(out: Path, custs: list[dict], phones: list[str], scale: int) -> None:
    creds = DEMO_CREDENTIALS
    seed = {
        "wfbss": {"accounts": [
            {"access_token": creds["wfbss"][account]["access_token"], "secret_key": creds["wfbss"][account]["secret_key"],
             "customers": [{"id": c["id"], "name": c["name"]} for c in custs if c["account"] == account]}
            for account, _count in WFBSS_ACCOUNTS]},
        "koophone": {
            "tokens": [creds["koophone_token"]],
            "users": [],
            "instances": [{"instance_id": iid, "instance_name": f"shop-phone-{n:04d}",
                           "frozen_status": 1 if frozen(n) else 0} for n, iid in enumerate(phones, start=1)],
        },
        "iot": {"tenants": [
            dict(creds["iot"]["acme-logistics"], devices=IOT_CSV_KNOWN * scale),
            dict(creds["iot"]["beta-retail"], devices=IOT_YAML_DEVICES * scale),
            dict(creds["iot"]["gamma-transit"], tsg_id=IOT_SCM_TSG_ID, devices=IOT_SCM_DEVICES * scale),
        ]},
        "altcraft": {"tokens": [creds["altcraft_token"]],
                     "resources": [{"id": rid, "name": name, "lists": [1, 2]} for rid, name in ALTCRAFT_RESOURCES]},
    }
    (out / "simulator-seed.json").write_text(json.dumps(seed, indent=1) + "\n", encoding="utf-8")
    (out / "demo-credentials.json").write_text(json.dumps(creds, indent=1) + "\n", encoding="utf-8")


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the demo fleet, or a fleet N times its size.")
    parser.add_argument("--scale", type=positive, default=1, help="customers, instances and IoT devices times N (default 1)")
    parser.add_argument("--out", type=Path, help="write the fleet into this directory instead of demo/ (needed with --scale)")
    args = parser.parse_args(argv)
    if args.scale > 1 and args.out is None:
        parser.error("--scale needs --out: demo/ holds the demo fleet itself")
    out = (args.out or HERE).resolve()
    out.mkdir(parents=True, exist_ok=True)
    custs, phones = customers(args.scale), instances(args.scale)
    write_inventory(out, custs, phones)
    write_iot_files(out, args.scale)
    write_seed(out, custs, phones, args.scale)
    devices = [n * args.scale for n in (IOT_CSV_DEVICES, IOT_YAML_DEVICES, IOT_SCM_DEVICES)]
    print(f"wrote {len(custs)} customers, {len(phones)} instances, {'+'.join(map(str, devices))} devices, "
          f"{len(ALTCRAFT_RESOURCES)} Altcraft resources into {out}")


if __name__ == "__main__":
    main()
