# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fleet growth: playbooks/fleet_maintenance.yml over the demo fleet at 1x, 10x and 100x (demo/generate.py --scale N).

Each run has the task timer (callback_plugins/fleet_timing.py): wall time, the time in the collection's module tasks,
the time outside them, the cost of each KooPhone wave, peak RSS of the ansible-playbook process tree; and, from the
simulator's request log, the HTTP calls. Every size resets the phones in 20 waves (wave size = phones / 20; the short
run: 10) with no pause between waves, as the measurement of the fleet run's own cost (the pause is a wait the operator
asks for).

    python benchmarks/fleet_growth.py --scale 10 [--fleet DIR] [--compare DIR [--reps N]] [--keep] [-- EXTRA ARGS]

runs one size and prints its row and the slowest tasks (benchmarks/run runs the section with the others); --compare
runs another checkout (an earlier commit) the same way in the same invocation, the two interleaved.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import run as bench  # benchmarks/run.py: the simulator, the RSS sampler, the runner's environment

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CALLBACKS = os.path.join(HERE, 'callback_plugins')
WAVES = 20
WAVES_SHORT = 10  # the short run: fewer waves (at least 10, for the first and last 5), to stay within ~3 minutes
SCALES = (1, 10, 100)
SCALES_SHORT = (1, 10)
# The targets of the fleet run's cost: bookkeeping share, wave growth, memory growth.
MAX_OUTSIDE_SHARE = 0.25
MAX_WAVE_GROWTH = 1.3
IOT_RATE_PER_MINUTE = 180  # the vendor's bucket of everything but device/list and device/ip; it starts full (burst = rate)
IOT_READS_PER_MINUTE = 60  # device/list and device/ip: "60 times per minute" (iot.yaml); one bucket, as the simulator has it
IOT_READ_ROUTES = ('/device/list', '/device/ip')
KOOPHONE_JOB_SECONDS = 1.0  # the simulator's reset job runtime (simulator/koophone.py KooPhoneSettings.job_seconds)


def generate(scale, workdir):
    """A fleet of demo/generate.py --scale N in workdir (the 1x fleet is demo/ itself)."""
    if scale == 1:
        return os.path.join(ROOT, 'demo')
    out = os.path.join(workdir, 'fleet-%dx' % scale)
    subprocess.run([sys.executable, os.path.join(ROOT, 'demo', 'generate.py'), '--scale', str(scale), '--out', out],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def ini_inventory(fleet):
    """The fleet's YAML inventory written again as an INI inventory (fleet/inventory-ini/, beside inventory/ so that
    the IoT sources stay where they are): the same groups, hosts and variables, a host and its variables on one line,
    as large generated inventories often are. A host's strings are quoted twice so that INI keeps them strings."""
    import shlex  # pylint: disable=import-outside-toplevel
    import shutil  # pylint: disable=import-outside-toplevel
    import yaml  # pylint: disable=import-outside-toplevel

    out = os.path.join(fleet, 'inventory-ini')
    if os.path.exists(os.path.join(out, 'hosts.ini')):
        return out
    with open(os.path.join(fleet, 'inventory', 'hosts.yml'), encoding='utf-8') as handle:
        inventory = yaml.safe_load(handle)
    lines = []

    def value(item):
        if isinstance(item, str):
            return "'%s'" % json.dumps(item)  # shlex takes the single quotes, INI's literal_eval the double ones
        return json.dumps(item, separators=(',', ':')) if isinstance(item, (list, dict)) else repr(item)

    def group(name, body):
        body = body or {}
        if body.get('hosts'):
            lines.append('[%s]' % name)
            lines.extend(' '.join([host] + ['%s=%s' % (key, value(item)) for key, item in (variables or {}).items()])
                         for host, variables in body['hosts'].items())
        if body.get('vars'):
            lines.append('[%s:vars]' % name)
            # a group's variables are not literal_eval'ed: strings once quoted
            lines.extend('%s=%s' % (key, shlex.quote(item) if isinstance(item, str) else value(item))
                         for key, item in body['vars'].items())
        if body.get('children'):
            lines.append('[%s:children]' % name)
            lines.extend(body['children'])
        for child, child_body in (body.get('children') or {}).items():
            group(child, child_body)

    for name, body in inventory.items():
        group(name, body)
    shutil.copytree(os.path.join(fleet, 'inventory', 'group_vars'), os.path.join(out, 'group_vars'))
    with open(os.path.join(out, 'hosts.ini'), 'w', encoding='utf-8') as handle:
        handle.write('# %s/inventory/hosts.yml as an INI inventory (benchmarks/fleet_growth.py)\n' % os.path.basename(fleet))
        handle.write('\n'.join(lines) + '\n')
    return out


def phones(fleet):
    with open(os.path.join(fleet, 'simulator-seed.json'), encoding='utf-8') as handle:
        koophone = json.load(handle)['koophone']
    instances = koophone['instances']
    return instances if isinstance(instances, int) else len(instances)


def vendor_floor(entries, waves, iot_rate=IOT_RATE_PER_MINUTE, iot_read_rate=IOT_READS_PER_MINUTE):
    """Seconds the vendors impose on any client making these calls: per IoT tenant (a legacy tenant by its customerid,
    the Strata Cloud Manager tenants of the demo as one), the calls beyond each bucket's burst at its rate - the reads
    (device/list, device/ip: the reconciliation, made before anything is sent) at iot_read_rate a minute and the rest
    at iot_rate (the tenants run one after the other); and one reset job runtime per KooPhone wave (its status is only
    worth reading after it)."""
    per_tenant = {}
    for entry in entries:
        if entry['vendor'] != 'iot' or entry['kind'] == 'auth':
            continue
        query = dict(part.split('=', 1) for part in (entry.get('query') or '').split('&') if '=' in part)
        tenant = 'scm' if entry['path'].startswith('/iot/') else query.get('customerid', '?')
        bucket = 'read' if any(route in entry['path'] for route in IOT_READ_ROUTES) else 'write'
        per_tenant[(tenant, bucket)] = per_tenant.get((tenant, bucket), 0) + 1
    rates = dict(read=iot_read_rate, write=iot_rate)
    iot = sum(max(0.0, (calls - rates[bucket]) * 60.0 / rates[bucket]) for (dummy, bucket), calls in per_tenant.items())
    return iot + waves * KOOPHONE_JOB_SECONDS


def wave_costs(timing):
    """[(seconds, bookkeeping seconds)] of each KooPhone wave, its pause left out: from the wave loop's own timings,
    else (the layout of one include per wave) from the tasks of wave.yml, a wave starting at its reset task and its
    bookkeeping being its tasks that are not module tasks."""
    waves = []
    for task in timing['tasks']:
        if task.get('wave_seconds'):
            return [(wave['seconds'], wave['seconds'] - wave['module_seconds']) for wave in task['wave_seconds']]
        if 'koophone_fleet_reset/tasks/wave.yml' in (task.get('path') or ''):
            if "Reset the wave's instances" in task['name']:
                waves.append((0.0, 0.0))
            if waves and 'Pause before the next wave' not in task['name']:
                seconds, bookkeeping = waves[-1]
                waves[-1] = (seconds + task['seconds'], bookkeeping + task['seconds'] - task['module_seconds'])
    return waves


def wave_growth(costs):
    if len(costs) < 10 or not sum(costs[:5]):
        return None
    return round((sum(costs[-5:]) / 5.0) / (sum(costs[:5]) / 5.0), 2)


def outside_by_part(timing, startup):
    """Seconds outside module tasks, by role (the plays' own tasks and starts as 'plays'), and the start-up."""
    parts = {'start-up (Python, inventory)': round(startup, 2)}
    for task in timing['tasks']:
        name = task['name'].split(' : ', 1)[0] if ' : ' in task['name'] else 'plays (their start, include_role)'
        parts[name] = parts.get(name, 0.0) + task['seconds'] - task['module_seconds']
    return dict((name, round(seconds, 2)) for name, seconds in parts.items())


def top_tasks(timing, number=12):
    """The slowest tasks by name (summed over their runs)."""
    totals = {}
    for task in timing['tasks']:
        key = task['name']
        entry = totals.setdefault(key, dict(name=key, seconds=0.0, runs=0, module_seconds=0.0))
        entry['seconds'] += task['seconds']
        entry['module_seconds'] += task['module_seconds']
        entry['runs'] += 1
    return [dict(entry, seconds=round(entry['seconds'], 2), module_seconds=round(entry['module_seconds'], 2))
            for entry in sorted(totals.values(), key=lambda entry: -entry['seconds'])[:number]]


def collection_env(runner, root):
    """The runner's environment with the collection taken from another checkout (root), e.g. an earlier commit's."""
    if os.path.realpath(root) == os.path.realpath(ROOT):
        return dict(runner.env)
    path = os.path.join(runner.workdir, 'collections-%s' % os.path.basename(os.path.normpath(root)))
    if not os.path.exists(path):
        os.makedirs(os.path.join(path, 'ansible_collections', 'fleetops'))
        os.symlink(os.path.realpath(root), os.path.join(path, 'ansible_collections', 'fleetops', 'maintenance'))
    return dict(runner.env, ANSIBLE_COLLECTIONS_PATH=path)


def run_fleet(runner, scale, fleet=None, extra_args=(), iot_rate=None, waves=WAVES, root=ROOT, inventory_format='yaml'):
    """One fleet run at a scale: its row. iot_rate: the simulator's IoT limit and the module's pace (default 180/min);
    root: the checkout whose collection and playbook run (default this one); inventory_format: yaml (the generator's
    inventory) or ini (the same written as INI)."""
    sim_knobs = dict(iot_rate_limit_per_minute=iot_rate) if iot_rate else None
    extra_args = list(extra_args) + (['-e', 'iot_cellular_sync_requests_per_minute=%s' % iot_rate] if iot_rate else [])
    fleet = fleet or generate(scale, runner.workdir)
    wave_size = max(1, int(math.ceil(phones(fleet) / float(waves))))
    with open(os.path.join(fleet, 'simulator-seed.json'), encoding='utf-8') as handle:
        seed = json.load(handle)
    tag = '%dx-%d' % (scale, runner.counter + 1)  # each run its own simulator files, timing and report
    sim = bench.Sim(seed, runner.workdir, 'fleet-' + tag)
    timing_file = os.path.join(runner.workdir, 'timing-%s.json' % tag)
    env = dict(collection_env(runner, root), FLEET_REPORT_DIR=os.path.join(runner.workdir, 'report-' + tag),
               ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_CALLBACKS_ENABLED='fleet_timing',
               FLEETOPS_TIMING_FILE=timing_file,
               **bench.demo_environment(sim.url, os.path.join(fleet, 'demo-credentials.json')))
    env.pop('ANSIBLE_PYTHON_INTERPRETER', None)  # the demo inventory sets it
    inventory = ini_inventory(fleet) if inventory_format == 'ini' else os.path.join(fleet, 'inventory')
    cmd = [runner.ansible_playbook, '-i', inventory,
           os.path.join(root, 'playbooks', 'fleet_maintenance.yml'),
           '-e', 'koophone_fleet_reset_wave_size=%d' % wave_size, '-e', 'koophone_fleet_reset_pause_seconds=0']
    cmd += list(extra_args)
    try:
        if sim_knobs:
            sim.reset(**sim_knobs)
        runner.counter += 1
        log_path = os.path.join(runner.logdir, '%03d-fleet-%dx.log' % (runner.counter, scale))
        result = bench.measure(cmd, env, log_path)
        if result['rc'] != 0:
            with open(log_path, encoding='utf-8', errors='replace') as handle:
                bench.log('FAILED fleet run at %dx (rc %d):\n%s' % (scale, result['rc'], handle.read()[-3000:]))
        entries = sim.control('GET', 'requests')['requests']
    finally:
        sim.stop()
    with open(timing_file, encoding='utf-8') as handle:
        timing = json.load(handle)
    calls = {}
    for entry in entries:
        key = '%s %s' % (entry['vendor'], entry['kind'])
        calls[key] = calls.get(key, 0) + 1
    costs = wave_costs(timing)
    module_s = timing['module_seconds']
    row = dict(
        chore='fleet_growth', variant='playbook', scale=scale, items=scale, hosts=inventory_hosts(fleet), rc=result['rc'],
        wave_size=wave_size, waves=len(costs), wall_s=round(result['wall_s'], 2), module_s=round(module_s, 2),
        outside_s=round(result['wall_s'] - module_s, 2),
        outside_share=round((result['wall_s'] - module_s) / result['wall_s'], 3),
        startup_s=round(result['wall_s'] - timing['task_seconds'], 2),
        peak_rss_tree_mib=round(timing['peak_rss_bytes'] / 1048576.0, 1),
        peak_rss_sampled_mib=round(result['peak_rss_tree_mib'], 1),
        http_calls=len(entries), http_429=sum(1 for entry in entries if entry['status'] == 429),
        http_errors=sum(1 for entry in entries if entry['status'] is None or not 200 <= entry['status'] < 300),
        calls_by_kind=calls, vendor_floor_s=round(vendor_floor(entries, len(costs), iot_rate or IOT_RATE_PER_MINUTE), 1),
        wave_seconds=[round(cost, 3) for cost, dummy in costs], wave_growth=wave_growth([cost for cost, dummy in costs]),
        wave_bookkeeping_seconds=[round(cost, 3) for dummy, cost in costs],
        wave_bookkeeping_growth=wave_growth([cost for dummy, cost in costs]), top_tasks=top_tasks(timing),
        outside_by_part=outside_by_part(timing, result['wall_s'] - timing['task_seconds']),
        iot_rate_per_minute=iot_rate or IOT_RATE_PER_MINUTE, extra_args=list(extra_args) or None,
        checkout=None if root == ROOT else root, inventory_format=inventory_format)
    bench.log('fleet %dx: %.1f s wall, %.1f s in module tasks, %.1f s outside (%.0f%%), %d waves (growth %s), '
              'peak RSS %.0f MiB, %d calls, rc %d' % (
                  scale, row['wall_s'], row['module_s'], row['outside_s'], 100 * row['outside_share'], row['waves'],
                  row['wave_growth'], row['peak_rss_tree_mib'], row['http_calls'], row['rc']))
    return row


def inventory_hosts(fleet):
    """The hosts of a fleet's inventory/hosts.yml (a YAML inventory: every key under a group's hosts)."""
    import yaml  # pylint: disable=import-outside-toplevel

    with open(os.path.join(fleet, 'inventory', 'hosts.yml'), encoding='utf-8') as handle:
        inventory = yaml.safe_load(handle)
    names, groups = set(), list(inventory.values())
    while groups:
        group = groups.pop() or {}
        names.update(group.get('hosts') or {})
        groups.extend((group.get('children') or {}).values())
    return len(names)


def checks(rows, short):
    """The targets on the largest size run (they gate the full run; the short run reports them)."""
    rows = sorted((row for row in rows if row['chore'] == 'fleet_growth'), key=lambda row: row['scale'])
    if not rows:
        return []
    largest = rows[-1]
    found = [
        dict(target='fleet run at %dx: time outside module tasks <= %d%% of wall' % (largest['scale'], 100 * MAX_OUTSIDE_SHARE),
             value='%.1f%% (%.1f of %.1f s)' % (100 * largest['outside_share'], largest['outside_s'], largest['wall_s']),
             met=largest['outside_share'] <= MAX_OUTSIDE_SHARE and largest['rc'] == 0, gate=not short),
        dict(target='fleet run at %dx: mean of the last 5 KooPhone waves <= %.1fx the first 5' % (largest['scale'], MAX_WAVE_GROWTH),
             value='%sx' % largest['wave_growth'],
             met=largest['wave_growth'] is not None and largest['wave_growth'] <= MAX_WAVE_GROWTH, gate=not short),
    ]
    if len(rows) > 1:
        # linear or better: from the smallest to the largest, RSS grows by at most the fleet's own factor
        small = rows[0]
        factor = largest['scale'] / float(small['scale'])
        found.append(dict(
            target='fleet run: peak RSS grows at most linearly (%dx -> %dx)' % (small['scale'], largest['scale']),
            value='%.0f -> %.0f MiB (x%.1f for a fleet x%d)' % (
                small['peak_rss_tree_mib'], largest['peak_rss_tree_mib'],
                largest['peak_rss_tree_mib'] / small['peak_rss_tree_mib'], factor),
            met=largest['peak_rss_tree_mib'] <= factor * small['peak_rss_tree_mib'], gate=not short))
    return found


def markdown(rows):
    rows = sorted((row for row in rows if row['chore'] == 'fleet_growth'), key=lambda row: row['scale'])  # stable
    if not rows:
        return []
    lines = ['', '## Fleet growth: playbooks/fleet_maintenance.yml over the demo fleet at 1x, 10x, 100x', '',
             'Every size resets its phones in %d waves without a pause between them. "In module tasks": the tasks of '
             'the collection\'s modules (and the module calls inside the KooPhone wave loop), from the task timer '
             '(`benchmarks/callback_plugins/fleet_timing.py`); "outside": the rest of the wall time (start-up, inventory, '
             'bookkeeping, the report). Vendors\' floor: per IoT tenant the calls beyond each bucket at its rate limit '
             '(the reads of the reconciliation at %d/min, the rest at 180/min unless the row says otherwise), and one '
             'reset job runtime (%.0f s in the simulator) per '
             'KooPhone wave. Wave growth: the mean of the last 5 waves against the first 5 (its pause left out); in '
             'brackets, the same of the wave\'s bookkeeping (its time outside module calls).'
             % (rows[-1]['waves'], IOT_READS_PER_MINUTE, KOOPHONE_JOB_SECONDS), '',
             '| fleet | hosts | wall s | in module tasks s | outside s | outside share | start-up s | waves (size) '
             '| wave growth (its bookkeeping) | peak RSS tree MiB | HTTP calls | IoT limit /min | vendors\' floor s |',
             '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    for row in rows:
        lines.append('| %s | %d | %.1f | %.1f | %.1f | %.0f%% | %.1f | %d (%d) | %s | %.0f | %d | %d | %.1f |' % (
            _label(row), row['hosts'], row['wall_s'], row['module_s'], row['outside_s'], 100 * row['outside_share'],
            row['startup_s'], row['waves'], row['wave_size'], _growth(row),
            row['peak_rss_tree_mib'], row['http_calls'], row['iot_rate_per_minute'], row['vendor_floor_s']))
    parts = []
    for row in rows:
        parts += [name for name in row.get('outside_by_part') or {} if name not in parts]
    columns = [_label(row) for row in rows]
    lines += ['', 'Time outside module tasks, by part, s:', '', '| part | %s |' % ' | '.join(columns),
              '|---|%s' % ('---:|' * len(rows))]
    for name in parts:
        lines.append('| %s | %s |' % (name, ' | '.join('%.1f' % (row.get('outside_by_part') or {}).get(name, 0.0)
                                                       for row in rows)))
    largest = rows[-1]
    lines += ['', 'Where the time of the %dx run goes (slowest tasks, summed over their runs):' % largest['scale'], '',
              '| task | runs | s | of it in modules s |', '|---|---:|---:|---:|']
    for task in largest['top_tasks']:
        name = task['name'].replace('|', '/')
        lines.append('| %s | %d | %.2f | %.2f |' % (name, task['runs'], task['seconds'], task['module_seconds']))
    return lines


def _label(row):
    """'100x', '100x (main)' for another checkout's row, '100x (INI inventory)'."""
    notes = [os.path.basename(os.path.normpath(row['checkout']))] if row.get('checkout') else []
    notes += ['INI inventory'] if row.get('inventory_format') == 'ini' else []
    return '%dx%s' % (row['scale'], ' (%s)' % ', '.join(notes) if notes else '')


def _growth(row):
    """'1.03x (2.06x)': the mean of the last 5 waves against the first 5, of the whole wave (of its bookkeeping)."""
    if not row['wave_growth']:
        return '-'
    bookkeeping = row.get('wave_bookkeeping_growth')
    return '%.2fx (%s)' % (row['wave_growth'], '%.2fx' % bookkeeping if bookkeeping else '-')


def plot(rows, path):
    """Wall time, time in module tasks and outside them against the fleet's size; peak RSS beside it."""
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    rows = sorted((row for row in rows if row['chore'] == 'fleet_growth'), key=lambda row: row['scale'])
    if not rows:
        return
    scales = [row['scale'] for row in rows]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, label, color, marker in (('wall_s', 'wall time', 'tab:blue', 's'),
                                      ('module_s', 'in module tasks', 'tab:green', 'o'),
                                      ('outside_s', 'outside module tasks', 'tab:red', '^'),
                                      ('vendor_floor_s', "vendors' floor", 'grey', 'v')):
        axes[0].plot(scales, [max(row[key], 0.1) for row in rows], marker=marker, color=color, label=label)
    axes[1].plot(scales, [row['peak_rss_tree_mib'] for row in rows], marker='s', color='tab:purple',
                 label='peak RSS, ansible-playbook tree')
    for axis, ylabel in ((axes[0], 'seconds'), (axes[1], 'MiB')):
        axis.set_xscale('log')
        axis.set_yscale('log')
        axis.set_xticks(scales)
        axis.set_xticklabels(['%dx\n%d hosts' % (row['scale'], row['hosts']) for row in rows], fontsize=8)
        axis.set_xlabel('demo fleet size')
        axis.set_ylabel(ylabel)
        axis.grid(True, which='both', alpha=0.3)
        axis.legend(fontsize=8)
    axes[0].set_title('fleet_maintenance.yml: time against fleet size', fontsize=10)
    axes[1].set_title('peak memory against fleet size', fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--scale', type=int, default=10)
    parser.add_argument('--fleet', help='a fleet demo/generate.py already wrote at this scale')
    parser.add_argument('--waves', type=int, default=WAVES, help='KooPhone waves (default %(default)s)')
    parser.add_argument('--iot-rate', type=float, help="the simulator's IoT rate limit per minute (default the vendor's 180)")
    parser.add_argument('--compare', metavar='DIR',
                        help='also run the checkout in DIR (e.g. `git archive main | tar -x -C DIR`), interleaved: '
                             'DIR, this one, for --reps rounds')
    parser.add_argument('--reps', type=int, default=1, help='rounds with --compare (default 1)')
    parser.add_argument('--inventory-format', choices=('yaml', 'ini'), default='yaml',
                        help="the generator's YAML inventory (default) or the same written as INI")
    parser.add_argument('--out', help='write the rows as JSON here')
    parser.add_argument('--keep', action='store_true', help='keep the work directory (logs, timings)')
    parser.add_argument('extra', nargs='*', help='arguments for ansible-playbook (after --)')
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix='fleetops-growth-')
    runner = bench.Runner(args, workdir)
    fleet = args.fleet or generate(args.scale, workdir)
    rows = []
    for dummy in range(args.reps if args.compare else 1):
        for root in ([args.compare] if args.compare else []) + [ROOT]:
            rows.append(run_fleet(runner, args.scale, fleet, args.extra, args.iot_rate, args.waves, root,
                                  args.inventory_format))
            print('\n'.join(markdown([rows[-1]])))
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as handle:
            json.dump(rows, handle, indent=1)
    if args.keep:
        bench.log('work directory kept: %s' % workdir)
    else:
        import shutil  # pylint: disable=import-outside-toplevel
        shutil.rmtree(workdir, ignore_errors=True)
    return max(row['rc'] for row in rows)


if __name__ == '__main__':
    sys.exit(main())
