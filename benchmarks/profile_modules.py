# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Profile the modules' own work (no ansible-playbook around them) with pyinstrument.

Runs each module's main() in this process against the simulator, at the
headline size of each chore, and writes a text profile per module to the output directory, plus a
summary of seconds per HTTP call (module in-process vs the plain requests loop of floor/floor.py
run in-process too) and the peak of Python allocations (tracemalloc) at two sizes, to see whether
memory grows with the number of batches sent.

    bash benchmarks/run --profile       # in the benchmark venv
    python benchmarks/profile_modules.py --out DIR
"""
import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import run as bench  # noqa: E402  pylint: disable=wrong-import-position

PROFILED = {
    # chore: (module, size, args builder)
    'wfbss_reset': ('wfbss_reset', 1000, lambda url, data: dict(
        api_url=url, access_token=data['wfbss_access_token'], secret_key=data['wfbss_secret_key'],
        customer_ids=data['customer_ids'], type='counter')),
    'koophone_reset': ('koophone_instance_reset', 3200, lambda url, data: dict(
        api_url=url, auth_token=data['koophone_token'], instance_ids=data['instance_ids'])),
    'iot_bulk': ('iot_device_bulk', 10000, lambda url, data: dict(
        api_url=url, customer_id=data['iot_customer_id'], key_id=data['iot_key_id'],
        access_key=data['iot_access_key'], devices=data['devices'], batch_size=500)),
}


def import_module(workdir, name):
    collections = os.path.join(workdir, 'collections')
    if not os.path.exists(collections):
        os.makedirs(os.path.join(collections, 'ansible_collections', 'fleetops'))
        os.symlink(ROOT, os.path.join(collections, 'ansible_collections', 'fleetops', 'maintenance'))
        sys.path.insert(0, collections)
    import importlib  # pylint: disable=import-outside-toplevel
    return importlib.import_module('ansible_collections.fleetops.maintenance.plugins.modules.%s' % name)


def run_module(module, args):
    """main() with these args; (seconds, result dict)."""
    from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
    out = io.StringIO()
    start = time.perf_counter()
    with patch_module_args(args), contextlib.redirect_stdout(out):
        try:
            module.main()
        except SystemExit:
            pass
    elapsed = time.perf_counter() - start
    return elapsed, json.loads(out.getvalue())


def floor_in_process(chore, url, data):
    """The floor's request loop, in this process: seconds."""
    import requests  # pylint: disable=import-outside-toplevel
    sys.path.insert(0, os.path.join(HERE, 'floor'))
    import floor  # pylint: disable=import-outside-toplevel
    args = argparse.Namespace(batch_size=500, rpm=0, rate_margin=1.0, concurrency=1)
    start = time.perf_counter()
    with requests.Session() as session:
        floor.CHORES[chore](session, url, data, args)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default=os.path.join(HERE, 'results', 'profile'))
    parser.add_argument('--chores', default=','.join(PROFILED))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    from pyinstrument import Profiler  # pylint: disable=import-outside-toplevel

    workdir = tempfile.mkdtemp(prefix='fleetops-profile-')
    summary = {}
    for chore in args.chores.split(','):
        module_name, size, build = PROFILED[chore]
        module = import_module(workdir, module_name)
        entry = summary[chore] = dict(module=module_name, items=size)
        for label, items in (('small', size // 10), ('headline', size)):
            seed, files = bench.chore_data(chore, items, workdir)
            sim = bench.Sim(seed, workdir, 'profile-%s-%d' % (chore, items))
            try:
                with open(files['module'], encoding='utf-8') as handle:
                    data = json.load(handle)
                with open(files['floor'], encoding='utf-8') as handle:
                    floor_data = json.load(handle)
                module_args = build(sim.url, data)
                run_module(module, module_args)  # warm-up: imports, connection pools
                sim.reset()
                seconds, result = run_module(module, module_args)
                calls = sim.calls(bench.CHORES[chore]['vendor'])
                sim.reset()
                tracemalloc.start()
                run_module(module, module_args)
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                entry[label] = dict(items=items, seconds=round(seconds, 3), http_calls=calls['http_calls'],
                                    ms_per_call=round(1000 * seconds / max(calls['http_calls'], 1), 2),
                                    tracemalloc_peak_mib=round(peak / 1048576.0, 2), failed=bool(result.get('failed')),
                                    args_json_mib=round(len(json.dumps(module_args)) / 1048576.0, 2))
                sim.reset()
                floor_seconds = floor_in_process(chore, sim.url, floor_data)
                entry[label]['floor_seconds'] = round(floor_seconds, 3)
                entry[label]['floor_ms_per_call'] = round(1000 * floor_seconds / max(calls['http_calls'], 1), 2)
                if label == 'headline':
                    sim.reset()
                    profiler = Profiler(interval=0.0005)
                    profiler.start()
                    run_module(module, module_args)
                    profiler.stop()
                    with open(os.path.join(args.out, 'profile-%s.txt' % module_name), 'w', encoding='utf-8') as handle:
                        handle.write(profiler.output_text(unicode=False, color=False, show_all=False))
            finally:
                sim.stop()
            print('%s %s: %s' % (chore, label, json.dumps(entry[label])), file=sys.stderr, flush=True)
    with open(os.path.join(args.out, 'profile-summary.json'), 'w', encoding='utf-8') as handle:
        json.dump(summary, handle, indent=1)
    subprocess.call(['rm', '-rf', workdir])
    print(json.dumps(summary, indent=1))


if __name__ == '__main__':
    main()
