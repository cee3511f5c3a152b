"""Regenerate the demo fleet: inventory hosts, the IoT source-of-truth files and the simulator seed.

Everything is deterministic (fixed seeds), so running this again produces the same files:

    python3 demo/generate.py            # writes demo/inventory/hosts.yml, demo/inventory/files/iot/*,
                                        # demo/simulator-seed.json

The demo fleet:
  * 50 Trend Micro WFBS-SVC customers across 3 partner accounts (20 + 18 + 12);
  * 200 Huawei Cloud KooPhone cloud phones in one project (one of them frozen);
  * 3 IoT Security tenants: two on the legacy API key (5,000 devices in a CSV, of which the tenant knows 4,990,
    and 24 in YAML) and one on Strata Cloud Manager (60 devices in a CSV, with session times);
  * 3 Altcraft resources with 2 databases each.
Only fake, documentation-range data is used; the credentials are the simulator's demo credentials.
"""
from __future__ import annotations

import json
import random
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


def customers() -> list[dict]:
    rng = random.Random("demo-wfbss")
    names = [f"{a} {b}" for a in FIRST for b in SECOND]
    rng.shuffle(names)
    out, number = [], 0
    for account, count in WFBSS_ACCOUNTS:
        for _index in range(count):
            number += 1
            out.append({"host": f"cust-{number:03d}", "account": account, "name": names[number - 1],
                        "id": str(uuid.uuid5(NAMESPACE, f"customer-{number}")).upper()})
    return out


def instances() -> list[str]:
    rng = random.Random("demo-koophone")
    alphabet = string.ascii_lowercase + string.digits
    ids: list[str] = []
    while len(ids) < KOOPHONE_INSTANCES:
        candidate = "".join(rng.choice(alphabet) for _index in range(8))
        if candidate not in ids:
            ids.append(candidate)
    return ids


def sim_ipv4(index: int) -> str:
    """The address the simulator gives generated device number `index` (simulator/seed.py)."""
    return f"10.20.{index // 250}.{index % 250 + 1}"


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


def write_iot_files() -> None:
    rng = random.Random("demo-iot-acme")
    rows = ["ip_address,imei,iccid,imsi,apn,msisdn,session_event_type"]
    for index in range(IOT_CSV_DEVICES):
        address = sim_ipv4(index) if index < IOT_CSV_KNOWN else f"10.99.0.{index - IOT_CSV_KNOWN + 1}"
        c = cellular(rng, index)
        rows.append(",".join([address, c["imei"], c["iccid"], c["imsi"], c["apn"], c["msisdn"], c["session_event_type"]]))
    (HERE / "data" / "iot" / "acme-logistics.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")

    rng = random.Random("demo-iot-beta")
    lines = ["---", "# Cellular attributes of the beta-retail tenant's routers (source of truth, one item a device)."]
    for index in range(IOT_YAML_DEVICES):
        c = cellular(rng, index)
        lines.append(f"- ip_address: {sim_ipv4(index)}")
        for key in ("imei", "iccid", "imsi", "apn", "msisdn"):
            lines.append(f'  {key}: "{c[key]}"')
    (HERE / "data" / "iot" / "beta-retail.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    rng = random.Random("demo-iot-gamma")
    rows = ["ip_address,imei,iccid,imsi,apn,msisdn,session_start,session_end"]
    for index in range(IOT_SCM_DEVICES):
        c = cellular(rng, index)
        day = 1 + index % 28
        # every other SIM reports its ICCID as read from the card: 19 digits and the hex filler F
        iccid = c["iccid"][:18] + "F" if index % 2 else c["iccid"]
        rows.append(",".join([sim_ipv4(index), c["imei"], iccid, c["imsi"], c["apn"], c["msisdn"],
                              f"2026-01-{day:02d}T06:00:00.000Z", f"2026-01-{day:02d}T18:00:00.000Z"]))
    (HERE / "data" / "iot" / "gamma-transit.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def write_inventory(custs: list[dict], phones: list[str]) -> None:
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
    (INVENTORY / "hosts.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_seed(custs: list[dict], phones: list[str]) -> None:
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
                           "frozen_status": 1 if n - 1 in KOOPHONE_FROZEN else 0} for n, iid in enumerate(phones, start=1)],
        },
        "iot": {"tenants": [
            dict(creds["iot"]["acme-logistics"], devices=IOT_CSV_KNOWN),
            dict(creds["iot"]["beta-retail"], devices=IOT_YAML_DEVICES),
            dict(creds["iot"]["gamma-transit"], tsg_id=IOT_SCM_TSG_ID, devices=IOT_SCM_DEVICES),
        ]},
        "altcraft": {"tokens": [creds["altcraft_token"]],
                     "resources": [{"id": rid, "name": name, "lists": [1, 2]} for rid, name in ALTCRAFT_RESOURCES]},
    }
    (HERE / "simulator-seed.json").write_text(json.dumps(seed, indent=1) + "\n", encoding="utf-8")
    (HERE / "demo-credentials.json").write_text(json.dumps(creds, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    custs, phones = customers(), instances()
    write_inventory(custs, phones)
    write_iot_files()
    write_seed(custs, phones)
    print(f"wrote {len(custs)} customers, {len(phones)} instances, {IOT_CSV_DEVICES}+{IOT_YAML_DEVICES}+{IOT_SCM_DEVICES} devices, "
          f"{len(ALTCRAFT_RESOURCES)} Altcraft resources")


if __name__ == "__main__":
    main()
