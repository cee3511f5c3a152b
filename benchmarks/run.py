# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of fleetops.maintenance against the local vendor simulator.

For each chore and fleet size it runs, side by side and interleaved:
  floor   a plain Python script with one requests.Session making exactly the same HTTP calls
  module  ansible-playbook with one task of our module
  uri     ansible-playbook with the ansible.builtin.uri loop over batches a competent user writes
and measures wall time, peak RSS of the process tree (sum of RSS over the tree, sampled with psutil),
and, from the simulator's request log, the HTTP calls, 429s and other non-2xx answers.

Start it with `bash benchmarks/run [--short] [--check]` (which builds the venv); this file expects to
run inside that venv (ansible-core, requests, psutil, matplotlib).
"""
import argparse
import datetime
import ipaddress
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import psutil
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PLAYBOOKS = os.path.join(HERE, 'playbooks')
FLOOR = os.path.join(HERE, 'floor', 'floor.py')
sys.path.insert(0, ROOT)

from demo.environment import demo_environment  # noqa: E402  pylint: disable=wrong-import-position
import fleet_growth  # noqa: E402  pylint: disable=wrong-import-position
from simulator.seed import koophone_instance_ids, wfbss_customer_id  # noqa: E402  pylint: disable=wrong-import-position

WFBSS_TOKEN = '5f0c8a52-3b7e-4d1a-9c2e-7a1b2c3d4e5f'
WFBSS_SECRET = 'sim-wfbss-secret'
KOOPHONE_TOKEN = 'sim-koophone-token'
IOT = dict(customer_id='sim-tenant', key_id='sim-key-id', access_key='sim-access-key')

# chore -> vendor, batch limit of the vendor (or the module's default batch), sizes (small, headline, large)
CHORES = {
    'wfbss_reset': dict(title='WFBS-SVC: reset counters of N customers', vendor='wfbss', batch=10,
                        sizes=(100, 1000, 10000)),
    'koophone_reset': dict(title='KooPhone: batch-reset N instances', vendor='koophone', batch=32,
                           sizes=(320, 3200, 32000)),
    'iot_bulk': dict(title='IoT Security: bulk-update N devices (batch 500)', vendor='iot', batch=500,
                     sizes=(1000, 10000, 100000)),
}
VARIANTS = ('floor', 'module', 'uri')
SAMPLE_SECONDS = 0.02
# The WAN case:
WAN_LATENCY_S = 0.1  # the simulator answers every call after this long: a vendor cloud 100 ms away
WAN_CHORES = {'wfbss_reset': 1000, 'koophone_reset': 3200}  # 100 calls each
WAN_VARIANTS = ('floor_8_threads', 'module_concurrency_1', 'module_concurrency_8')


def log(*parts):
    print('[%s]' % time.strftime('%H:%M:%S'), *parts, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- data

def iot_device(index):
    """One device in the module's field names, with a valid IPv4 address for any index < 1e6."""
    return {
        'ip_address': str(ipaddress.IPv4Address('10.20.0.1') + index),
        'imei': '35%013d' % index,
        'iccid': '8901%015d' % index,
        'imsi': '31026%010d' % index,
        'apn': 'iot.bench.example',
        'msisdn': '+1555%07d' % index,
    }


API_NAMES = {'ip_address': 'ipAddress', 'imei': 'imei', 'iccid': 'iccid', 'imsi': 'imsi', 'apn': 'apn',
             'msisdn': 'msisdn'}


def to_api(device):
    return {API_NAMES[key]: value for key, value in device.items()}


def chore_data(chore, size, workdir):
    """(seed, {variant: extra-vars file}) for a chore at a size."""
    common = dict(wfbss_access_token=WFBSS_TOKEN, wfbss_secret_key=WFBSS_SECRET, koophone_token=KOOPHONE_TOKEN,
                  iot_customer_id=IOT['customer_id'], iot_key_id=IOT['key_id'], iot_access_key=IOT['access_key'])
    if chore == 'wfbss_reset':
        seed = {'wfbss': {'accounts': [dict(access_token=WFBSS_TOKEN, secret_key=WFBSS_SECRET, customers=size)]}}
        items = dict(customer_ids=[wfbss_customer_id(number) for number in range(1, size + 1)])
        per_variant = {'module': items, 'uri': items}
    elif chore == 'koophone_reset':
        seed = {'koophone': {'tokens': [KOOPHONE_TOKEN], 'users': [], 'instances': size, 'frozen': []}}
        items = dict(instance_ids=koophone_instance_ids(size))
        per_variant = {'module': items, 'uri': items}
    else:
        devices = [iot_device(index) for index in range(size)]
        seed = {'iot': {'tenants': [dict(IOT, devices=[{'ip_address': d['ip_address']} for d in devices])]}}
        per_variant = {'module': dict(devices=devices), 'uri': dict(devices=[to_api(d) for d in devices])}
    files = {}
    for variant, items in per_variant.items():
        path = os.path.join(workdir, '%s-%d-%s.json' % (chore, size, variant))
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump(dict(common, **items), handle)
        files[variant] = path
    files['floor'] = files['uri']
    if chore == 'iot_bulk':  # the module's devices_file option reads this
        path = os.path.join(workdir, '%s-%d-devices.json' % (chore, size))
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump(per_variant['module']['devices'], handle)
        files['devices_file'] = path
    return seed, files


# --------------------------------------------------------------------------- simulator

class Sim(object):
    """The simulator as a subprocess (its own CPU, like a real remote API), driven by its control API."""

    def __init__(self, seed, workdir, name):
        self.seed_file = os.path.join(workdir, 'seed-%s.json' % name)
        with open(self.seed_file, 'w', encoding='utf-8') as handle:
            json.dump(seed, handle)
        ready = os.path.join(workdir, 'sim-%s.url' % name)
        self.log = open(os.path.join(workdir, 'sim-%s.log' % name), 'w', encoding='utf-8')  # pylint: disable=consider-using-with
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, '-m', 'simulator', '--port', '0', '--seed', self.seed_file, '--ready-file', ready],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('the simulator did not start; see %s' % self.log.name)
            time.sleep(0.05)
        with open(ready, encoding='utf-8') as handle:
            self.url = handle.read().strip()
        self.session = requests.Session()

    def control(self, method, path, body=None):
        response = self.session.request(method, self.url + '/_sim/' + path, json=body, timeout=300)
        response.raise_for_status()
        return response.json()

    def reset(self, **knobs):
        self.control('POST', 'reset')
        if knobs:
            self.control('POST', 'config', knobs)

    def calls(self, vendor):
        log_entries = [entry for entry in self.control('GET', 'requests')['requests'] if entry['vendor'] == vendor]
        statuses = [entry['status'] for entry in log_entries]
        times = [entry['time'] for entry in log_entries]
        return dict(
            http_calls=len(log_entries),
            http_429=sum(1 for status in statuses if status == 429),
            http_errors=sum(1 for status in statuses if status is None or not 200 <= status < 300),
            api_span_s=round(max(times) - min(times), 3) if times else 0.0,
        )

    def stop(self):
        self.session.close()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


# --------------------------------------------------------------------------- measuring

def measure(cmd, env, log_path):
    """Run cmd; wall seconds, return code and peak RSS (MiB) of the whole tree and of the module process."""
    peak = dict(tree=0, module=0)
    names = {}
    stop = threading.Event()
    with open(log_path, 'w', encoding='utf-8') as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=HERE)  # pylint: disable=consider-using-with

        def sample():
            try:
                parent = psutil.Process(proc.pid)
            except psutil.Error:
                return
            while not stop.is_set():
                try:
                    procs = [parent] + parent.children(recursive=True)
                except psutil.Error:
                    break
                total = 0
                for item in procs:
                    try:
                        rss = item.memory_info().rss
                        if item.pid not in names:
                            names[item.pid] = ' '.join(item.cmdline())
                    except psutil.Error:
                        continue
                    total += rss
                    if 'AnsiballZ' in names[item.pid] and not names[item.pid].startswith('/bin/sh'):
                        peak['module'] = max(peak['module'], rss)
                peak['tree'] = max(peak['tree'], total)
                stop.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        rc = proc.wait()
        wall = time.perf_counter() - start
        stop.set()
        sampler.join()
    mib = 1024.0 * 1024.0
    return dict(wall_s=wall, rc=rc, peak_rss_tree_mib=peak['tree'] / mib,
                peak_rss_module_mib=(peak['module'] / mib) if peak['module'] else None)


class Runner(object):
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.logdir = os.path.join(workdir, 'logs')
        os.makedirs(self.logdir)
        collections = os.path.join(workdir, 'collections', 'ansible_collections', 'fleetops')
        os.makedirs(collections)
        os.symlink(ROOT, os.path.join(collections, 'maintenance'))
        tmp = os.path.join(workdir, 'ansible-tmp')
        os.makedirs(tmp)
        bindir = os.path.dirname(sys.executable)
        self.env = dict(
            os.environ,
            PATH=bindir + os.pathsep + os.environ.get('PATH', ''),
            ANSIBLE_COLLECTIONS_PATH=os.path.join(workdir, 'collections'),
            ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
            ANSIBLE_HOME=os.path.join(workdir, 'ansible-home'),
            ANSIBLE_LOCAL_TEMP=tmp,
            ANSIBLE_REMOTE_TMP=tmp,
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_NOCOLOR='1',
            ANSIBLE_RETRY_FILES_ENABLED='false',
            ANSIBLE_CONFIG=os.path.join(workdir, 'ansible.cfg'),  # empty: no ansible.cfg from the cwd or home dir
        )
        with open(self.env['ANSIBLE_CONFIG'], 'w', encoding='utf-8') as handle:
            handle.write('[defaults]\n')
        self.env.pop('ANSIBLE_PIPELINING', None)
        self.ansible_playbook = os.path.join(bindir, 'ansible-playbook')
        self.counter = 0

    def playbook(self, name, extra_vars_files=(), extra_vars=None):
        cmd = [self.ansible_playbook, '-i', 'localhost,', '-c', 'local', os.path.join(PLAYBOOKS, name)]
        for path in extra_vars_files:
            cmd += ['-e', '@' + path]
        if extra_vars:
            cmd += ['-e', json.dumps(extra_vars)]
        return cmd

    def run(self, label, cmd, env=None):
        self.counter += 1
        log_path = os.path.join(self.logdir, '%03d-%s.log' % (self.counter, label))
        result = measure(cmd, env or self.env, log_path)
        if result['rc'] != 0:
            with open(log_path, encoding='utf-8', errors='replace') as handle:
                tail = handle.read()[-3000:]
            log('FAILED (rc %d): %s\n%s' % (result['rc'], ' '.join(cmd)[:300], tail))
        return result


def median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def summarise(chore, variant, size, expected, runs, **extra):
    row = dict(chore=chore, variant=variant, items=size, expected_calls=expected, reps=len(runs),
               http_calls=max(run['http_calls'] for run in runs),
               http_calls_min=min(run['http_calls'] for run in runs),
               http_429=sum(run['http_429'] for run in runs),
               http_errors=sum(run['http_errors'] for run in runs),
               failed_runs=sum(1 for run in runs if run['rc'] != 0),
               wall_s=round(median([run['wall_s'] for run in runs]), 3),
               wall_all_s=[round(run['wall_s'], 3) for run in runs],
               api_span_s=round(median([run['api_span_s'] for run in runs]), 3),
               peak_rss_tree_mib=round(max(run['peak_rss_tree_mib'] for run in runs), 1),
               peak_rss_module_mib=(round(max(run['peak_rss_module_mib'] or 0 for run in runs), 1) or None))
    row.update(extra)
    return row


# --------------------------------------------------------------------------- phases

def chore_commands(runner, chore, size, files, url):
    spec = CHORES[chore]
    cmds = {
        # IoT: paced at the vendor's 180/min like the module (matters above 180 calls: 100,000 devices = 200 calls)
        'floor': [sys.executable, FLOOR, chore, '--url', url, '--vars', files['floor'],
                  '--batch-size', str(spec['batch'])] + (['--rpm', '180'] if chore == 'iot_bulk' else []),
        'module': runner.playbook('module_%s.yml' % chore, [files['module']],
                                  dict(sim_url=url, iot_batch_size=spec['batch'], iot_requests_per_minute=180)),
        'uri': runner.playbook('uri_%s.yml' % chore, [files['uri']], dict(sim_url=url, iot_batch_size=spec['batch'])),
    }
    cmds['uri_pipelining'] = cmds['uri']  # same playbook, ANSIBLE_PIPELINING=True (see run_chore)
    if chore == 'iot_bulk':
        cmds['module_file'] = runner.playbook('module_iot_bulk.yml', [], dict(
            sim_url=url, iot_batch_size=spec['batch'], iot_requests_per_minute=180, iot_devices_file=files['devices_file'],
            iot_customer_id=IOT['customer_id'], iot_key_id=IOT['key_id'], iot_access_key=IOT['access_key']))
    return cmds


def run_chore(runner, chore, size, reps):
    """reps: {variant: repetitions}. Returns the summary rows."""
    spec = CHORES[chore]
    expected = math.ceil(size / spec['batch'])
    seed, files = chore_data(chore, size, runner.workdir)
    sim = Sim(seed, runner.workdir, '%s-%d' % (chore, size))
    rows = []
    try:
        cmds = chore_commands(runner, chore, size, files, sim.url)
        runs = {variant: [] for variant in cmds}
        for rep in range(max(reps.values())):
            for variant in cmds:
                if rep >= reps.get(variant if variant != 'module_file' else 'module', 0):
                    continue
                sim.reset()
                env = dict(runner.env, ANSIBLE_PIPELINING='True') if variant.endswith('_pipelining') else None
                result = runner.run('%s-%d-%s-%d' % (chore, size, variant, rep + 1), cmds[variant], env)
                result.update(sim.calls(spec['vendor']))
                runs[variant].append(result)
                log('%-15s %7d %-12s rep %d: %6.2f s, %4d calls (expected %d), %d x 429, rc %d, tree %.0f MiB'
                    % (chore, size, variant, rep + 1, result['wall_s'], result['http_calls'], expected,
                       result['http_429'], result['rc'], result['peak_rss_tree_mib']))
        for variant, variant_runs in runs.items():
            if variant_runs:
                rows.append(summarise(chore, variant, size, expected, variant_runs, batch=spec['batch']))
    finally:
        sim.stop()
    return rows


def run_startup(runner, reps):
    runs = []
    for rep in range(reps):
        result = runner.run('startup-%d' % (rep + 1), runner.playbook('startup.yml'))
        result.update(http_calls=0, http_429=0, http_errors=0, api_span_s=0.0)
        runs.append(result)
    row = summarise('startup', 'ansible_one_task', 0, 0, runs)
    log('ansible start-up of one task (ping): median %.2f s' % row['wall_s'])
    return row


def run_rate_limit(runner, name, devices, batch, per_minute, variants):
    """IoT bulkUpdate with more calls than the bucket holds: time against what the limit allows."""
    calls = math.ceil(devices / batch)
    allowed = max(0.0, (calls - per_minute) * 60.0 / per_minute)  # bucket starts full: burst = rate
    seed, files = chore_data('iot_bulk', devices, runner.workdir)
    sim = Sim(seed, runner.workdir, 'rate-%s' % name)
    rows = []
    try:
        knobs = dict(iot_rate_limit_per_minute=per_minute)
        cmds = {
            'floor': [sys.executable, FLOOR, 'iot_bulk', '--url', sim.url, '--vars', files['floor'],
                      '--batch-size', str(batch), '--rpm', str(per_minute)],
            'module': runner.playbook('module_iot_bulk.yml', [files['module']], dict(
                sim_url=sim.url, iot_batch_size=batch, iot_requests_per_minute=per_minute)),
        }
        for variant in variants:
            sim.reset(**knobs)
            result = runner.run('rate-%s-%s' % (name, variant), cmds[variant])
            result.update(sim.calls('iot'))
            log('rate limit %-7s %-7s: %6.2f s wall, API span %.2f s, allowed %.2f s, %d calls (expected %d), %d x 429'
                % (name, variant, result['wall_s'], result['api_span_s'], allowed, result['http_calls'], calls,
                   result['http_429']))
            rows.append(summarise('iot_rate_limit_%s' % name, variant, devices, calls, [result], batch=batch,
                                  rate_per_minute=per_minute, allowed_s=round(allowed, 2)))
    finally:
        sim.stop()
    return rows


def wan_commands(runner, chore, size, files, url, variants):
    """The WAN case's variants: the module one call at a time and 8 at once, the uri loop, and both floors."""
    lan = chore_commands(runner, chore, size, files, url)
    cmds = dict(floor=lan['floor'], floor_8_threads=lan['floor'] + ['--concurrency', '8'], uri=lan['uri'])
    for concurrency in (1, 8):
        cmds['module_concurrency_%d' % concurrency] = runner.playbook(
            'module_%s.yml' % chore, [files['module']], dict(sim_url=url, concurrency=concurrency))
    return dict((variant, cmds[variant]) for variant in variants)


def run_wan(runner, chore, reps, variants):
    """A chore of 100 calls against a simulator that answers after WAN_LATENCY_S, each variant interleaved."""
    size = WAN_CHORES[chore]
    spec = CHORES[chore]
    name = wan_name(chore)
    expected = math.ceil(size / spec['batch'])
    seed, files = chore_data(chore, size, runner.workdir)
    sim = Sim(seed, runner.workdir, name)
    rows = []
    try:
        cmds = wan_commands(runner, chore, size, files, sim.url, variants)
        runs = dict((variant, []) for variant in cmds)
        for rep in range(reps):
            for variant, cmd in cmds.items():
                if variant == 'uri' and rep:  # one run of the uri loop is a minute; its spread is small
                    continue
                sim.reset(latency_seconds=WAN_LATENCY_S)
                result = runner.run('%s-%s-%d' % (name, variant, rep + 1), cmd)
                result.update(sim.calls(spec['vendor']))
                runs[variant].append(result)
                log('%s %-20s rep %d: %6.2f s, %d calls (expected %d), module RSS %s MiB'
                    % (name, variant, rep + 1, result['wall_s'], result['http_calls'], expected,
                       fmt(result['peak_rss_module_mib'], 0)))
        for variant, variant_runs in runs.items():
            rows.append(summarise(name, variant, size, expected, variant_runs, batch=spec['batch'],
                                  latency_s=WAN_LATENCY_S))
    finally:
        sim.stop()
    return rows


def run_demo_fleet(runner, reps):
    """playbooks/fleet_maintenance.yml over demo/inventory, as scripts/demo runs it."""
    playbook = os.path.join(ROOT, 'playbooks', 'fleet_maintenance.yml')
    if not os.path.exists(playbook) or not os.path.exists(os.path.join(ROOT, 'demo', 'simulator-seed.json')):
        log('demo fleet run skipped: playbooks/fleet_maintenance.yml or demo/simulator-seed.json is missing')
        return []
    with open(os.path.join(ROOT, 'demo', 'simulator-seed.json'), encoding='utf-8') as handle:
        seed = json.load(handle)
    sim = Sim(seed, runner.workdir, 'demo-fleet')
    report_dir = os.path.join(runner.workdir, 'demo-report')
    env = dict(runner.env, FLEET_REPORT_DIR=report_dir, **demo_environment(sim.url))
    env.pop('ANSIBLE_PYTHON_INTERPRETER', None)  # the demo inventory sets it
    cmd = [runner.ansible_playbook, '-i', os.path.join(ROOT, 'demo', 'inventory'), playbook,
           '-e', 'koophone_fleet_reset_pause_seconds=2']
    runs = []
    try:
        for rep in range(reps):
            sim.reset()
            runner.counter += 1
            log_path = os.path.join(runner.logdir, '%03d-demo-fleet-%d.log' % (runner.counter, rep + 1))
            result = measure(cmd, env, log_path)
            if result['rc'] != 0:
                with open(log_path, encoding='utf-8', errors='replace') as handle:
                    log('FAILED demo fleet run (rc %d):\n%s' % (result['rc'], handle.read()[-3000:]))
            entries = sim.control('GET', 'requests')['requests']
            by_vendor = {}
            for entry in entries:
                key = '%s %s' % (entry['vendor'], entry['kind'])
                by_vendor[key] = by_vendor.get(key, 0) + 1
            times = [entry['time'] for entry in entries]
            result.update(http_calls=len(entries), http_429=sum(1 for e in entries if e['status'] == 429),
                          http_errors=sum(1 for e in entries if e['status'] is None or not 200 <= e['status'] < 300),
                          api_span_s=round(max(times) - min(times), 3) if times else 0.0, calls_by_kind=by_vendor)
            runs.append(result)
            log('demo fleet rep %d: %.2f s, %d calls %s, %d x 429, %d non-2xx, rc %d'
                % (rep + 1, result['wall_s'], result['http_calls'], by_vendor, result['http_429'],
                   result['http_errors'], result['rc']))
    finally:
        sim.stop()
    # items: the hosts of the demo inventory are the fleet; no expected call count (the chores read, compare, poll)
    row = summarise('demo_fleet', 'playbook', 0, 0, runs)
    row['calls_by_kind'] = runs[-1]['calls_by_kind']
    return [row]


# --------------------------------------------------------------------------- report

def add_ratios(rows):
    index = dict(((row['chore'], row['items'], row['variant']), row) for row in rows)
    for row in rows:
        floor = index.get((row['chore'], row['items'], 'floor'))
        uri = index.get((row['chore'], row['items'], 'uri'))
        row['ratio_to_floor'] = round(row['wall_s'] / floor['wall_s'], 2) if floor else None
        row['ratio_to_uri'] = round(row['wall_s'] / uri['wall_s'], 3) if uri else None


def wan_name(chore):
    return '%s_wan_%dms' % (chore, round(WAN_LATENCY_S * 1000))


def wan_checks(index, startup, short):
    """At 100 ms: the module at concurrency 8, less one task's start-up, against both floors; its memory."""
    checks = []
    for chore, size in WAN_CHORES.items():
        floor, threads, one, eight = (index.get((wan_name(chore), size, variant)) for variant in
                                      ('floor', 'floor_8_threads', 'module_concurrency_1', 'module_concurrency_8'))
        if eight and floor and threads and startup:
            own = eight['wall_s'] - startup['wall_s']
            for target, bound_row, factor in (('sequential floor', floor, 0.25), ('8-thread floor', threads, 1.5)):
                checks.append(dict(
                    target='%s %d at %d ms: module at concurrency 8 less one task start-up <= %.2f x the %s'
                    % (chore, size, round(WAN_LATENCY_S * 1000), factor, target),
                    value='%.2f - %.2f = %.2f s vs %.2f x %.2f = %.2f s' % (
                        eight['wall_s'], startup['wall_s'], own, factor, bound_row['wall_s'], factor * bound_row['wall_s']),
                    met=own <= factor * bound_row['wall_s'], kind='wan',
                    gate=not short))  # 2 shared CI cores make one short run's timing noisy: reported there, gating in full
        if eight and one and eight['peak_rss_module_mib'] and one['peak_rss_module_mib']:
            checks.append(dict(
                target='%s %d at %d ms: module memory flat (concurrency 8 within 10%% of concurrency 1)'
                % (chore, size, round(WAN_LATENCY_S * 1000)),
                value='%.1f MiB vs %.1f MiB' % (eight['peak_rss_module_mib'], one['peak_rss_module_mib']),
                met=eight['peak_rss_module_mib'] <= 1.1 * one['peak_rss_module_mib'], kind='memory'))
    return checks


def evaluate(rows, startup, headline, short=False):
    """The benchmark's targets, each {target, value, met}."""
    checks = []
    if startup:
        checks.append(dict(target='ansible start-up baseline runs', value='%d failed runs' % startup['failed_runs'],
                           met=startup['failed_runs'] == 0, kind='calls'))
    index = dict(((row['chore'], row['items'], row['variant']), row) for row in rows)
    for row in rows:
        if row['chore'] == 'demo_fleet':
            checks.append(dict(target='demo fleet run: succeeds, no 429', value='%d calls, %d x 429, %d non-2xx, %d failed runs'
                               % (row['http_calls'], row['http_429'], row['http_errors'], row['failed_runs']),
                               met=row['http_429'] == 0 and row['failed_runs'] == 0, kind='calls'))
        elif row['variant'] in ('module', 'module_file', 'floor', 'uri', 'uri_pipelining') + WAN_VARIANTS:
            checks.append(dict(target='%s %s %d: HTTP calls = expected, no 429, no error, rc 0'
                               % (row['chore'], row['variant'], row['items']),
                               value='%d calls (expected %d), %d x 429, %d errors, %d failed runs'
                               % (row['http_calls'], row['expected_calls'], row['http_429'], row['http_errors'],
                                  row['failed_runs']),
                               met=(row['http_calls'] == row['expected_calls'] == row['http_calls_min']
                                    and row['http_429'] == 0 and row['http_errors'] == 0 and row['failed_runs'] == 0),
                               kind='calls'))
    for chore, spec in CHORES.items():
        for size in spec['sizes']:
            module, uri, floor = (index.get((chore, size, variant)) for variant in ('module', 'uri', 'floor'))
            if module and uri:
                speedup = uri['wall_s'] / module['wall_s']
                wanted = 20 if (chore, size) == ('wfbss_reset', headline) else 1
                # with fewer than 10 calls (IoT, 1,000 devices = 2 calls) both are mostly Ansible start-up: reported, not gating
                checks.append(dict(target='%s %d: module faster than the uri loop%s'
                                   % (chore, size, ' by at least 20x' if wanted == 20 else ''),
                                   value='%.1fx' % speedup, met=speedup >= wanted, kind='speed',
                                   gate=uri['expected_calls'] >= 10))
            piped = index.get((chore, size, 'uri_pipelining'))
            if module and piped:
                speedup = piped['wall_s'] / module['wall_s']
                wanted = 20 if (chore, size) == ('wfbss_reset', headline) else 1
                checks.append(dict(target='%s %d: module faster than the uri loop with ANSIBLE_PIPELINING%s'
                                   % (chore, size, ' by at least 20x' if wanted == 20 else ''),
                                   value='%.1fx' % speedup, met=speedup >= wanted, kind='speed'))
            if module and floor and startup and chore == 'wfbss_reset' and size == headline:
                bound = 1.3 * (floor['wall_s'] + startup['wall_s'])
                checks.append(dict(target='%s %d: module within 1.3 x (floor + start-up of one task)' % (chore, size),
                                   value='%.2f s vs 1.3 x (%.2f + %.2f) = %.2f s'
                                   % (module['wall_s'], floor['wall_s'], startup['wall_s'], bound),
                                   met=module['wall_s'] <= bound, kind='floor'))
    for row in rows:
        if row['chore'].startswith('iot_rate_limit'):
            checks.append(dict(target='%s %s: API calls finish within 10%% of the time the limit allows, no 429'
                               % (row['chore'], row['variant']),
                               value='API span %.1f s, wall %.1f s, allowed %.1f s, %d x 429'
                               % (row['api_span_s'], row['wall_s'], row['allowed_s'], row['http_429']),
                               met=row['api_span_s'] <= 1.1 * row['allowed_s'] and row['http_429'] == 0,
                               kind='rate'))
    return checks + wan_checks(index, startup, short)


def growth(rows):
    """Marginal cost per extra HTTP call between consecutive sizes, per chore and variant."""
    out = []
    for chore in CHORES:
        for variant in ('floor', 'module', 'module_file', 'uri', 'uri_pipelining'):
            points = sorted((row['items'], row['http_calls'], row['wall_s'], row['peak_rss_module_mib'],
                             row['peak_rss_tree_mib'])
                            for row in rows if row['chore'] == chore and row['variant'] == variant)
            for (i1, c1, w1, m1, t1), (i2, c2, w2, m2, t2) in zip(points, points[1:]):
                if c2 > c1:
                    out.append(dict(chore=chore, variant=variant, items=[i1, i2],
                                    ms_per_call=round(1000 * (w2 - w1) / (c2 - c1), 2),
                                    ms_per_item=round(1000 * (w2 - w1) / (i2 - i1), 3),
                                    log_log_slope=round(math.log(w2 / w1) / math.log(i2 / i1), 2),
                                    module_rss_mib=[m1, m2], tree_rss_mib=[t1, t2]))
    return out


def fmt(value, digits=2):
    if value is None:
        return '-'
    if isinstance(value, float):
        return ('%.' + str(digits) + 'f') % value
    return str(value)


def markdown(report):
    lines = ['# fleetops.maintenance benchmark (%s run)' % report['meta']['mode'], '',
             '%s; Python %s, ansible-core %s, %d CPUs; wall = median of the repetitions (reps column); '
             'peak RSS = sum of RSS over the ansible-playbook process tree (forked workers share pages, so the sum '
             'overstates), "module" = the largest AnsiballZ process.'
             % (report['meta']['date'], report['meta']['python'], report['meta']['ansible_core'],
                report['meta']['cpus']), '',
             '| chore | variant | items | HTTP calls | expected | 429 | wall s | ratio to floor | ratio to uri loop '
             '| peak RSS tree MiB | peak RSS module MiB | reps |',
             '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    for row in report['rows']:
        lines.append('| %s | %s | %s | %d | %s | %d | %s | %s | %s | %s | %s | %d |' % (
            row['chore'], row['variant'], row['items'] or '-', row['http_calls'], row['expected_calls'] or '-',
            row['http_429'],
            fmt(row['wall_s']), fmt(row.get('ratio_to_floor')), fmt(row.get('ratio_to_uri'), 3),
            fmt(row['peak_rss_tree_mib'], 0), fmt(row['peak_rss_module_mib'], 0), row['reps']))
    if report.get('startup'):
        lines += ['', 'Ansible start-up of one task (`ansible-playbook` + one `ansible.builtin.ping`): median %.2f s '
                  '(%s).' % (report['startup']['wall_s'], ', '.join('%.2f' % w for w in report['startup']['wall_all_s']))]
    lines += ['', 'Load average of the machine (1, 5, 15 min) before: %s, after: %s.'
              % (report['meta']['load_average_before'], report['meta']['load_average_after'])]
    if report['meta'].get('merged_from'):
        lines += ['', 'Merged: the rows of the chores not rerun come from the run of %s (load average before: %s, after: %s).'
                  % (report['meta']['merged_from']['date'], report['meta']['merged_from'].get('load_average_before'),
                     report['meta']['merged_from'].get('load_average_after'))]
    demo = [row for row in report['rows'] if row['chore'] == 'demo_fleet']
    if demo:
        lines += ['', 'Demo fleet run (`playbooks/fleet_maintenance.yml -i demo/inventory`, as `scripts/demo` runs it): '
                  'calls by vendor and kind: %s.' % ', '.join('%s %d' % item for item in sorted(demo[0]['calls_by_kind'].items()))]
    rate_rows = [row for row in report['rows'] if row['chore'].startswith('iot_rate_limit')]
    if rate_rows:
        lines += ['', '## Rate limit (IoT Security)', '',
                  '| run | variant | devices | batch | calls | limit /min | allowed s | API span s | wall s | 429 |',
                  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|']
        for row in rate_rows:
            lines.append('| %s | %s | %d | %d | %d | %d | %.1f | %.1f | %.1f | %d |' % (
                row['chore'], row['variant'], row['items'], row['batch'], row['http_calls'], row['rate_per_minute'],
                row['allowed_s'], row['api_span_s'], row['wall_s'], row['http_429']))
    lines += wan_markdown(report)
    if report['growth']:
        lines += ['', '## Growth', '', '| chore | variant | sizes | ms per extra call | ms per extra item | '
                  'log-log slope | module RSS MiB | tree RSS MiB |', '|---|---|---|---:|---:|---:|---|---|']
        for item in report['growth']:
            lines.append('| %s | %s | %d -> %d | %.2f | %.3f | %.2f | %s -> %s | %s -> %s |' % (
                item['chore'], item['variant'], item['items'][0], item['items'][1], item['ms_per_call'],
                item['ms_per_item'], item['log_log_slope'], fmt(item['module_rss_mib'][0], 0),
                fmt(item['module_rss_mib'][1], 0), fmt(item['tree_rss_mib'][0], 0), fmt(item['tree_rss_mib'][1], 0)))
    lines += fleet_growth.markdown(report.get('fleet_growth') or [])
    lines += ['', '## Targets', '', '| target | measured | met |', '|---|---|---|']
    for check in report['checks']:
        lines.append('| %s | %s | %s |' % (check['target'], check['value'],
                                           ('yes' if check['met'] else '**no**') + ('' if check.get('gate', True) else ' (not gating)')))
    return '\n'.join(lines) + '\n'


WAN_LABELS = {'floor': 'requests, sequential (floor)', 'floor_8_threads': 'requests, 8 threads (floor)',
              'module_concurrency_1': 'our module, concurrency 1', 'module_concurrency_8': 'our module, concurrency 8',
              'uri': 'ansible.builtin.uri loop'}


def wan_rows(report):
    names = [wan_name(chore) for chore in WAN_CHORES]
    return [row for row in report['rows'] if row['chore'] in names]


def wan_markdown(report):
    rows = wan_rows(report)
    if not rows:
        return []
    startup = report['startup']['wall_s'] if report.get('startup') else 0.0
    index = dict(((row['chore'], row['variant']), row) for row in rows)
    lines = ['', '## At network distance (the simulator answers every call after %d ms)' % round(WAN_LATENCY_S * 1000), '',
             '"less start-up" takes one task\'s Ansible start-up (%.2f s, measured in this run) off the Ansible runs.'
             % startup, '',
             '| chore | variant | items | HTTP calls | wall s | less start-up s | x sequential floor | x 8-thread floor '
             '| peak RSS module MiB | reps |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|']
    for row in rows:
        own = row['wall_s'] - (0.0 if row['variant'].startswith('floor') else startup)
        floor, threads = (index.get((row['chore'], variant)) for variant in ('floor', 'floor_8_threads'))
        lines.append('| %s | %s | %d | %d | %.2f | %.2f | %s | %s | %s | %d |' % (
            row['chore'], WAN_LABELS[row['variant']], row['items'], row['http_calls'], row['wall_s'], own,
            fmt(own / floor['wall_s']) if floor else '-', fmt(own / threads['wall_s']) if threads else '-',
            fmt(row['peak_rss_module_mib'], 0), row['reps']))
    return lines


def plot_wan(report, path):
    """One bar chart per chore: wall time of every variant at network distance."""
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    rows = wan_rows(report)
    chores = [chore for chore in WAN_CHORES if any(row['chore'] == wan_name(chore) for row in rows)]
    if not chores:
        return
    fig, axes = plt.subplots(1, len(chores), figsize=(6.5 * len(chores), 3.6), squeeze=False)
    for column, chore in enumerate(chores):
        chore_rows = [row for row in rows if row['chore'] == wan_name(chore)]
        axis = axes[0][column]
        axis.barh([WAN_LABELS[row['variant']] for row in chore_rows], [row['wall_s'] for row in chore_rows],
                  color=['tab:blue' if row['variant'].startswith('module') else
                         'tab:red' if row['variant'] == 'uri' else 'tab:green' for row in chore_rows])
        for position, row in enumerate(chore_rows):
            axis.text(row['wall_s'], position, ' %.1f s' % row['wall_s'], va='center', fontsize=8)
        if report.get('startup'):
            axis.axvline(report['startup']['wall_s'], color='grey', linestyle='--', linewidth=1,
                         label='ansible-playbook, 1 ping task')
            axis.legend(fontsize=8, loc='lower right')
        axis.invert_yaxis()
        axis.set_xlabel('wall time, s (median)')
        axis.set_title('%s, %d items, %d calls, %d ms a call' % (
            chore, chore_rows[0]['items'], chore_rows[0]['expected_calls'], round(WAN_LATENCY_S * 1000)), fontsize=10)
        axis.margins(x=0.15)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot(report, path):
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    chores = [chore for chore in CHORES if any(row['chore'] == chore for row in report['rows'])]
    if not chores:
        return
    styles = {'floor': ('floor (requests.Session script)', 'tab:green', 'o'),
              'module': ('our module (1 task)', 'tab:blue', 's'),
              'module_file': ('our module, devices_file', 'tab:cyan', 'D'),
              'uri': ('ansible.builtin.uri loop', 'tab:red', '^'),
              'uri_pipelining': ('uri loop, ANSIBLE_PIPELINING', 'tab:orange', 'v')}
    fig, axes = plt.subplots(2, len(chores), figsize=(5.2 * len(chores), 8.5), squeeze=False)
    for column, chore in enumerate(chores):
        for variant, (label, color, marker) in styles.items():
            points = sorted((row['items'], row['wall_s'], row['peak_rss_tree_mib']) for row in report['rows']
                            if row['chore'] == chore and row['variant'] == variant)
            if not points:
                continue
            xs = [p[0] for p in points]
            axes[0][column].plot(xs, [p[1] for p in points], marker=marker, color=color, label=label)
            axes[1][column].plot(xs, [p[2] for p in points], marker=marker, color=color, label=label)
        if report.get('startup'):
            axes[0][column].axhline(report['startup']['wall_s'], color='grey', linestyle='--', linewidth=1,
                                    label='ansible-playbook, 1 ping task')
        axes[0][column].set_title(CHORES[chore]['title'], fontsize=10)
        for row_axes, ylabel in ((axes[0][column], 'wall time, s (median)'),
                                 (axes[1][column], 'peak RSS of the process tree, MiB')):
            row_axes.set_xscale('log')
            row_axes.set_yscale('log')
            row_axes.set_xlabel('fleet size (items)')
            row_axes.set_ylabel(ylabel)
            row_axes.grid(True, which='both', alpha=0.3)
        axes[0][column].legend(fontsize=8)
    fig.suptitle('fleetops.maintenance vs ansible.builtin.uri loop vs plain requests (%s run, %s)'
                 % (report['meta']['mode'], report['meta']['date'][:10]), fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --------------------------------------------------------------------------- main

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--short', action='store_true',
                        help='CI form: the small size of each chore only, a scaled rate-limit run (about 1-2 minutes)')
    parser.add_argument('--check', action='store_true',
                        help='exit 1 when HTTP calls != expected, a 429 or error was answered, a run failed, the module '
                             'is not faster than the uri loop, or the rate-limit run misses its bound')
    parser.add_argument('--chores', default=','.join(CHORES), help='comma-separated subset of %s' % ', '.join(CHORES))
    parser.add_argument('--reps', type=int, default=3, help='repetitions for the small and headline sizes (default 3)')
    parser.add_argument('--large-reps', type=int, default=1, help='repetitions for the 10x-larger sizes (default 1)')
    parser.add_argument('--uri-large', action='store_true', default=None,
                        help='run the uri loop at every 10x-larger size (default: only where it is <= 200 calls, '
                             'i.e. IoT; WFBS and KooPhone would take 15-20 minutes each)')
    parser.add_argument('--no-uri-large', dest='uri_large', action='store_false')
    parser.add_argument('--real-rate', action='store_true', default=None,
                        help='run the 1,000-call IoT run at the real 180/min (about 5 minutes; default in the full run)')
    parser.add_argument('--no-real-rate', dest='real_rate', action='store_false')
    parser.add_argument('--demo', action='store_true', default=None,
                        help='run the whole demo fleet (playbooks/fleet_maintenance.yml, demo/inventory; default in the full run)')
    parser.add_argument('--no-demo', dest='demo', action='store_false')
    parser.add_argument('--fleet-growth', dest='fleet_growth', action='store_true', default=True,
                        help='run playbooks/fleet_maintenance.yml over the demo fleet at 1x, 10x and 100x (--short: 1x and '
                             '10x; default on; see fleet_growth.py)')
    parser.add_argument('--no-fleet-growth', dest='fleet_growth', action='store_false')
    parser.add_argument('--fleet-scales', help='comma-separated fleet sizes of the fleet-growth section (default 1,10,100; '
                                               '--short: 1,10)')
    parser.add_argument('--out', help='output directory (default benchmarks/results, or benchmarks/results/short)')
    parser.add_argument('--merge', action='store_true',
                        help='keep the rows of the chores not run now from the existing benchmark.json in --out')
    parser.add_argument('--render-only', action='store_true',
                        help='only re-render the Markdown, checks and PNG from the benchmark.json in --out')
    parser.add_argument('--keep', action='store_true', help='keep the work directory (logs of every run)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    mode = 'short' if args.short else 'full'
    out = args.out or os.path.join(HERE, 'results', 'short' if args.short else '')
    os.makedirs(out, exist_ok=True)
    chores = [chore for chore in args.chores.split(',') if chore]
    unknown = set(chores) - set(CHORES)
    if unknown:
        sys.exit('unknown chores: %s' % ', '.join(sorted(unknown)))
    uri_large = False if args.short and args.uri_large is None else args.uri_large
    real_rate = (not args.short) if args.real_rate is None else args.real_rate
    headline = CHORES['wfbss_reset']['sizes'][1]

    load_before = [round(x, 2) for x in os.getloadavg()]
    if args.render_only:
        with open(os.path.join(out, 'benchmark.json'), encoding='utf-8') as handle:
            report = json.load(handle)
        add_ratios(report['rows'])
        report['checks'] = evaluate(report['rows'], report.get('startup'), headline, report['meta']['mode'] == 'short')
        report['growth'] = growth(report['rows'])
        report['checks'] += fleet_growth.checks(report.get('fleet_growth') or [], report['meta']['mode'] == 'short')
        return write_report(report, out, args)
    workdir = tempfile.mkdtemp(prefix='fleetops-bench-')
    started = time.monotonic()
    runner = Runner(args, workdir)
    rows = []
    growth_rows = []
    try:
        startup = run_startup(runner, args.reps)
        for chore in chores:
            small, middle, large = CHORES[chore]['sizes']
            plan = [(small, dict(floor=args.reps, module=args.reps, uri=1 if args.short else args.reps))]
            if not args.short:
                # the uri loop at the 10x-larger size costs ~1,000 module runs (15-20 min) for WFBS and KooPhone:
                # by default only where it is at most 200 calls (IoT); --uri-large runs it everywhere
                large_uri = uri_large or (uri_large is None and math.ceil(large / CHORES[chore]['batch']) <= 200)
                plan += [(middle, dict(floor=args.reps, module=args.reps, uri=args.reps, uri_pipelining=1)),
                         (large, dict(floor=args.large_reps, module=args.large_reps,
                                      uri=args.large_reps if large_uri else 0))]
            for size, reps in plan:
                rows += run_chore(runner, chore, size, reps)
        if 'iot_bulk' in chores:
            # Scaled: 700 calls against 600/min (the limit allows 10 s after the 600-call burst).
            rows += run_rate_limit(runner, 'scaled', 700, 1, 600, ('floor', 'module'))
            if real_rate:
                # Real: 10,000 devices in batches of 10 = 1,000 calls at 180/min: 273 s allowed.
                rows += run_rate_limit(runner, 'real', 10000, 10, 180, ('module',))
        for chore in (chore for chore in WAN_CHORES if chore in chores):
            # short (CI): the concurrent path against both floors, once; full: every variant, medians of --reps
            variants = (('floor', 'floor_8_threads', 'module_concurrency_8') if args.short
                        else ('floor', 'floor_8_threads', 'module_concurrency_1', 'module_concurrency_8', 'uri'))
            rows += run_wan(runner, chore, 1 if args.short else args.reps, variants)
        run_demo = (not args.short) if args.demo is None else args.demo
        if run_demo:
            rows += run_demo_fleet(runner, args.reps)
        if args.fleet_growth:
            scales = ([int(scale) for scale in args.fleet_scales.split(',')] if args.fleet_scales
                      else fleet_growth.SCALES_SHORT if args.short else fleet_growth.SCALES)
            for scale in scales:
                growth_rows.append(fleet_growth.run_fleet(
                    runner, scale, waves=fleet_growth.WAVES_SHORT if args.short else fleet_growth.WAVES))
    finally:
        if args.keep:
            log('work directory kept: %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    merged_from = None
    previous_path = os.path.join(out, 'benchmark.json')
    if args.merge and os.path.exists(previous_path):
        with open(previous_path, encoding='utf-8') as handle:
            previous = json.load(handle)
        rerun = set(row['chore'] for row in rows)
        kept = [row for row in previous['rows'] if row['chore'] not in rerun]
        log('merging: %d rows kept from %s (%s), %d new' % (len(kept), previous_path, previous['meta']['date'], len(rows)))
        rows = kept + rows
        if 'wfbss_reset' not in rerun:
            startup = previous.get('startup') or startup
        if not growth_rows:
            growth_rows = previous.get('fleet_growth') or []
        merged_from = previous['meta']
    order = dict((name, position) for position, name in enumerate(
        list(CHORES) + ['iot_rate_limit_scaled', 'iot_rate_limit_real'] + [wan_name(chore) for chore in WAN_CHORES]))
    rows.sort(key=lambda row: (order.get(row['chore'], 99), row['chore'], row['items']))
    add_ratios(rows)
    checks = evaluate(rows, startup, headline, args.short) + fleet_growth.checks(growth_rows, args.short)
    report = dict(
        meta=dict(mode=mode, date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
                  python=platform.python_version(), ansible_core=_ansible_version(), cpus=os.cpu_count(),
                  machine=platform.machine(), duration_s=round(time.monotonic() - started, 1),
                  sample_interval_s=SAMPLE_SECONDS, reps=args.reps, large_reps=args.large_reps,
                  load_average_before=load_before, load_average_after=[round(x, 2) for x in os.getloadavg()],
                  merged_from=merged_from),
        startup=startup, rows=rows, growth=growth(rows), fleet_growth=growth_rows, checks=checks)
    log('done in %.0f s' % (time.monotonic() - started))
    return write_report(report, out, args)


def write_report(report, out, args):
    checks = report['checks']
    with open(os.path.join(out, 'benchmark.json'), 'w', encoding='utf-8') as handle:
        json.dump(report, handle, indent=1)
    with open(os.path.join(out, 'benchmark.md'), 'w', encoding='utf-8') as handle:
        handle.write(markdown(report))
    plot(report, os.path.join(out, 'benchmark.png'))
    plot_wan(report, os.path.join(out, 'benchmark-wan.png'))
    fleet_growth.plot(report.get('fleet_growth') or [], os.path.join(out, 'benchmark-fleet-growth.png'))
    print(markdown(report))
    log('results in %s' % out)
    failed = [check for check in checks if not check['met']]
    for check in failed:
        log('NOT MET%s: %s: %s' % ('' if check.get('gate', True) else ' (not gating)', check['target'], check['value']))
    if args.check and any(check.get('gate', True) for check in failed):
        return 1
    return 0


def _ansible_version():
    try:
        from ansible.release import __version__  # pylint: disable=import-outside-toplevel
        return __version__
    except ImportError:
        return None


if __name__ == '__main__':
    sys.exit(main())
