"""IoT Security benchmark: what reconcile costs, and the memory of a big devices file.

    bash benchmarks/run --iot            # both sections -> benchmarks/results/iot/
    bash benchmarks/run --iot --short    # smaller sizes (the memory section at 50,000 devices)

1. **Reconcile: the cheaper path.** Against the simulator (its read bucket off), a tenant of 5,000 devices
   (20 pages of 1,000) and requests of several sizes, each with some devices the tenant does not know. For each
   request the reconciliation runs three ways in one run: forced to list every page, forced to look every device up
   with device/ip, and left to choose. Each row gives the reads made, the seconds those reads take at the vendor's
   60 a minute as the collection paces them (its own RateLimiter on a virtual clock: a fresh task's first 59 go at
   once, then one a second), the same once that burst is spent (one a second), and the wall time without the pace.
   A tenant of 500,000 devices (500 pages) is the same model.
2. **A big devices_file.** Peak RSS of the module process (its VmHWM, sampled every 20 ms) for a CSV of N devices: iot_device_bulk in check
   mode and in a live run (the simulator's limits off), against reading the whole file into memory first
   (iot_devices.load_devices_file, the way the module read it before it streamed).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
IOT = dict(customer_id='sim-tenant', key_id='sim-key-id', access_key='sim-access-key')
TENANT_DEVICES = 20000
# (devices the tenant knows, devices it does not): from a handful to the whole tenant
REQUESTS = [(4, 1), (15, 3), (40, 5), (500, 10), (20000, 10)]
BIG_TENANT = 500000


def collection_path(workdir):
    """A directory holding ansible_collections/fleetops/maintenance -> this checkout."""
    parent = os.path.join(workdir, 'collections', 'ansible_collections', 'fleetops')
    os.makedirs(parent, exist_ok=True)
    link = os.path.join(parent, 'maintenance')
    if not os.path.exists(link):
        os.symlink(ROOT, link)
    return os.path.join(workdir, 'collections')


def sim_ip(index):
    return '10.20.%d.%d' % (index // 250, index % 250 + 1)


class VirtualClock:
    """Time that passes only when the rate limiter sleeps."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def paced_seconds(calls, per_minute=60):
    """Seconds ``calls`` reads take under the collection's RateLimiter at ``per_minute`` (virtual clock)."""
    from ansible_collections.fleetops.maintenance.plugins.module_utils.rate_limiter import RateLimiter
    clock = VirtualClock()
    limiter = RateLimiter(per_minute, sleep=clock.sleep, clock=clock)
    for dummy in range(calls):
        limiter.acquire()
    return clock.now


def reconcile_section(url):
    from ansible_collections.fleetops.maintenance.plugins.module_utils import iot, iot_inventory
    params = dict(api_url=url, timeout=30, retries=0, retry_backoff=0, rate_limit_timeout=30, validate_certs=True,
                  ca_path=None, requests_per_minute=100000, reads_per_minute=100000, **IOT)
    rows = []
    for known, unknown in REQUESTS:
        step = max(1, TENANT_DEVICES // known)
        pairs = [(sim_ip(index), None) for index in range(0, TENANT_DEVICES, step)][:known]
        pairs += [('10.99.%d.%d' % (n // 250, n % 250 + 1), None) for n in range(unknown)]
        for force in (iot_inventory.LIST, iot_inventory.LOOKUP, None):
            with iot.IotClient(params) as client:
                started = time.perf_counter()
                reconciliation = iot_inventory.Reconciliation(client, pairs, force=force)
                wall = time.perf_counter() - started
            calls = reconciliation.list_pages + reconciliation.ip_lookups
            rows.append(dict(known=known, unknown=unknown, way='chosen' if force is None else 'forced ' + force,
                             method=reconciliation.method, list_pages=reconciliation.list_pages,
                             ip_lookups=reconciliation.ip_lookups, calls=calls, paced_seconds=paced_seconds(calls),
                             sustained_seconds=float(calls),
                             wall_seconds=round(wall, 3), unmatched=len(reconciliation.unmatched())))
            assert len(reconciliation.unmatched()) == unknown, rows[-1]
    pages = iot_inventory.page_count(BIG_TENANT, iot.MAX_PAGE_LENGTH)
    big = dict(tenant_devices=BIG_TENANT, list_pages=pages, paced_seconds=paced_seconds(pages),
               lookups_40_paced_seconds=paced_seconds(1 + 40), lookups_40_sustained_seconds=41.0)
    return rows, big


def write_csv(path, count):
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('ip_address,imei,iccid,imsi,apn,msisdn\n')
        for index in range(count):
            handle.write('10.%d.%d.%d,35693803%07d,8944500102%09d,3101501%08d,iot.example.com,+1555%07d\n'
                         % (20 + index // 62500, index // 250 % 250, index % 250 + 1, index, index, index, index % 10000000))


def high_water_kib(pid):
    """VmHWM of a running process: the peak RSS of its own memory since its exec (the ru_maxrss of wait4 would also
    count the RSS the child had as a fork of this process before the exec)."""
    try:
        with open('/proc/%d/status' % pid, encoding='ascii') as status:
            for line in status:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def peak_rss(cmd, env):
    """(peak RSS in MiB, seconds, output) of one child process: its VmHWM, read every 20 ms until it exits."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output_file:
        child = subprocess.Popen(cmd, env=env, stdout=output_file, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
        peak = 0
        while child.poll() is None:
            peak = max(peak, high_water_kib(child.pid) or 0)
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        output_file.seek(0)
        output = output_file.read()
    if child.returncode != 0 and b'"failed": true' not in output:
        raise RuntimeError(output.decode('utf-8', 'replace')[-2000:])
    return round(peak / 1024.0, 1), round(elapsed, 2), output


def memory_section(url, sizes, workdir, env):
    rows = []
    for count in sizes:
        path = os.path.join(workdir, 'devices-%d.csv' % count)
        write_csv(path, count)
        megabytes = os.path.getsize(path) / 1e6
        for label, check_mode in (('check mode', True), ('live run', False)):
            args = dict(devices_file=path, batch_size=500, concurrency=4, requests_per_minute=100000,
                        retry_backoff=0, api_url=url, _ansible_check_mode=check_mode, **IOT)
            args_path = os.path.join(workdir, 'args.json')
            with open(args_path, 'w', encoding='utf-8') as handle:
                json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
            rss, seconds, output = peak_rss([sys.executable, '-m', 'ansible_collections.fleetops.maintenance.plugins.modules.iot_device_bulk',
                                             args_path], env)
            result = json.loads(output.decode('utf-8')[output.decode('utf-8').index('{'):])
            assert not result.get('failed'), result.get('msg')
            assert result['device_count'] == count and result['sent_device_count'] == count, result
            rows.append(dict(devices=count, file_mb=round(megabytes, 1), run='iot_device_bulk, ' + label,
                             peak_rss_mib=rss, seconds=seconds, updated=result['updated_device_count']))
        # the module's imports, then the whole file in memory
        whole = ('import ansible_collections.fleetops.maintenance.plugins.modules.iot_device_bulk;'
                 'from ansible_collections.fleetops.maintenance.plugins.module_utils.iot_devices import load_devices_file;'
                 'print(len(load_devices_file(%r)))' % path)
        rss, seconds, dummy = peak_rss([sys.executable, '-c', whole], env)
        rows.append(dict(devices=count, file_mb=round(megabytes, 1), run='whole file read into memory (the former way)',
                         peak_rss_mib=rss, seconds=seconds, updated=None))
    baseline, dummy, dummy = peak_rss([sys.executable, '-c', 'import ansible_collections.fleetops.maintenance.plugins.modules.iot_device_bulk'], env)
    return rows, baseline


def markdown(report):
    lines = ['# IoT Security benchmark', '', 'Generated %s on %s.' % (report['generated_at'], report['machine']), '',
             '## Reconcile: list every page or look every device up', '',
             'Tenant of %d devices (%d pages of 1,000). "At 60/min": the reads as the collection paces them, a fresh '
             'task\'s first 59 at once, then one a second; "sustained": one a second.' % (
                 TENANT_DEVICES, TENANT_DEVICES // 1000), '',
             '| request (known + unknown) | way | method | pages | device/ip | reads | at 60/min | sustained | wall, unpaced |',
             '|---|---|---|---|---|---|---|---|---|']
    for row in report['reconcile']:
        lines.append('| %d + %d | %s | %s | %d | %d | %d | %.0f s | %.0f s | %.2f s |' % (
            row['known'], row['unknown'], row['way'], row['method'], row['list_pages'], row['ip_lookups'], row['calls'],
            row['paced_seconds'], row['sustained_seconds'], row['wall_seconds']))
    big = report['big_tenant']
    lines += ['', 'A tenant of %d devices: %d pages, %.0f s (%.1f min) as paced, %.0f s sustained; 40 devices looked up '
              'after the first page: %.0f s as paced, %.0f s sustained.' % (
                  big['tenant_devices'], big['list_pages'], big['paced_seconds'], big['paced_seconds'] / 60,
                  big['list_pages'], big['lookups_40_paced_seconds'], big['lookups_40_sustained_seconds'])]
    if report.get('memory'):
        lines += ['', '## A big devices_file: peak RSS of the module process', '',
                  'The module\'s imports alone: %.1f MiB.' % report['memory_baseline_mib'], '',
                  '| devices | CSV | run | peak RSS | time |', '|---|---|---|---|---|']
        for row in report['memory']:
            lines.append('| %d | %.1f MB | %s | %.1f MiB | %.2f s |' % (
                row['devices'], row['file_mb'], row['run'], row['peak_rss_mib'], row['seconds']))
    return '\n'.join(lines) + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--short', action='store_true', help='the memory section at 50,000 devices only')
    parser.add_argument('--no-memory', action='store_true', help='skip the memory section')
    parser.add_argument('--no-reconcile', action='store_true',
                        help='skip the reconcile section (keep the one already in --out)')
    parser.add_argument('--out', default=os.path.join(HERE, 'results', 'iot'))
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix='fleetops-iot-bench-')
    collections = collection_path(workdir)
    sys.path.insert(0, collections)
    sys.path.insert(0, ROOT)
    from simulator import Simulator  # pylint: disable=import-outside-toplevel
    seed = {'iot': {'tenants': [dict(IOT, devices=TENANT_DEVICES)]}}
    sim = Simulator(seed=seed).start()
    try:
        sim.configure(iot_rate_limit_per_minute=None, iot_list_rate_limit_per_minute=None)
        report = dict(generated_at=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
                      machine='%d cores, Python %s' % (os.cpu_count(), sys.version.split()[0]))
        if args.no_reconcile:
            with open(os.path.join(args.out, 'iot.json'), encoding='utf-8') as previous:
                kept = json.load(previous)
            report.update(reconcile=kept['reconcile'], big_tenant=kept['big_tenant'])
        else:
            report['reconcile'], report['big_tenant'] = reconcile_section(sim.url)
        if not args.no_memory:
            env = dict(os.environ, PYTHONPATH=collections)
            sizes = [50000] if args.short else [50000, 500000]
            report['memory'], report['memory_baseline_mib'] = memory_section(sim.url, sizes, workdir, env)
    finally:
        sim.stop()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, 'iot.json'), 'w', encoding='utf-8') as handle:
        json.dump(report, handle, indent=2)
    with open(os.path.join(args.out, 'iot.md'), 'w', encoding='utf-8') as handle:
        handle.write(markdown(report))
    print(markdown(report))


if __name__ == '__main__':
    main()
