"""Mutation testing of the wire core with mutmut, one target at a time (scripts/mutation runs it).

A target is one file of plugins/module_utils/, optionally narrowed to the functions and classes that hold the
rules under test (mutmut is given a patch that adds exactly their lines), and its kill suite: the fast tests that
judge it. mutmut changes the file in place, so this runs in a copy of the checkout (the current directory).
For each target it prints killed/total and writes the surviving mutants' diffs to OUTPUT/<target>.survivors.txt;
the summary is OUTPUT/summary.json and a markdown table on stdout.
"""
import argparse
import ast
import difflib
import json
import os
import subprocess
import sys
import tempfile
import time

UNIT = 'tests/unit/'
CONFORMANCE = 'tests/conformance/'
MODULE_UTILS_TESTS = UNIT + 'plugins/module_utils/'
FORKSERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'mutation_forkserver.py')
SERVER = None  # the fork server's process
SOCKET = os.path.join(tempfile.mkdtemp(prefix='fo-mutation-'), 'forkserver')  # a unix socket path is short

# name: (file, functions/classes to mutate (None: the whole file), kill suite)
TARGETS = {
    'wfbss': ('plugins/module_utils/wfbss.py', ['signature', 'auth_headers', 'parse_error', 'WfbssClient.__init__',
                                                'WfbssClient.reset'],
              [MODULE_UTILS_TESTS + 'test_wfbss.py', MODULE_UTILS_TESTS + 'test_wfbss_answers.py',
               CONFORMANCE + 'test_wfbss_sample_signature.py']),
    'huawei_signer': ('plugins/module_utils/huawei_signer.py', None,
                      [MODULE_UTILS_TESTS + 'test_huawei_signer.py',
                       MODULE_UTILS_TESTS + 'test_koophone.py::test_signer_matches_the_sdk_vectors',
                       MODULE_UTILS_TESTS + 'test_http_client_query.py',
                       CONFORMANCE + 'test_huawei_signer.py::test_sdk_vectors']),
    'http_client': ('plugins/module_utils/http_client.py',
                    ['query_pairs', 'build_query', 'parse_retry_after', 'RetryPolicy', 'ApiClient.request',
                     'ApiClient._send', 'ApiClient._waited_out_rate_limit', 'ApiClient._wait_while_paused',
                     'ApiClient._retried', '_may_have_been_sent'],
                    [MODULE_UTILS_TESTS + 'test_http_client.py', MODULE_UTILS_TESTS + 'test_http_client_query.py',
                     MODULE_UTILS_TESTS + 'test_http_client_rules.py', MODULE_UTILS_TESTS + 'test_http_client_resend.py']),
    'batching': ('plugins/module_utils/batching.py', None,
                 [MODULE_UTILS_TESTS + 'test_batching.py', MODULE_UTILS_TESTS + 'test_batching_summary.py',
                  MODULE_UTILS_TESTS + 'test_batching_rules.py']),
    'journal': ('plugins/module_utils/journal.py', ['fingerprint', 'Journal.items_in', 'Journal.intent',
                                                    'Journal.outcome', 'Journal.finish', 'open_journal', '_read',
                                                    '_check_header'],
                [MODULE_UTILS_TESTS + 'test_journal.py', MODULE_UTILS_TESTS + 'test_journal_rules.py']),
    'iot_devices': ('plugins/module_utils/iot_devices.py', ['_text', 'device_to_api', '_address', 'devices_to_api'],
                    [MODULE_UTILS_TESTS + 'test_iot.py', MODULE_UTILS_TESTS + 'test_iot_devices_rules.py']),
    'iot_token': ('plugins/module_utils/iot.py', ['ScmLogin', '_lifetime', 'IotClient._request', 'parse_token_error'],
                  [MODULE_UTILS_TESTS + 'test_iot.py', MODULE_UTILS_TESTS + 'test_iot_token.py']),
    'koophone_jobs': ('plugins/module_utils/koophone.py',
                      ['job_results', 'task_path_segment', 'KooPhoneClient.wait_for_jobs', 'JOB_STATUSES',
                       'FINAL_JOB_STATUSES'],
                      [MODULE_UTILS_TESTS + 'test_koophone.py', MODULE_UTILS_TESTS + 'test_koophone_jobs.py']),
    'altcraft': ('plugins/module_utils/altcraft.py', ['parse_error', 'counters_entry', 'pick_entry', 'task_outcome',
                                                      'AltcraftClient._call', 'AltcraftClient.refresh_counters',
                                                      'AltcraftClient.task_status', 'AltcraftClient.get_counters',
                                                      'AltcraftClient.wait_for_task'],
                 [MODULE_UTILS_TESTS + 'test_altcraft.py', MODULE_UTILS_TESTS + 'test_altcraft_rules.py']),
    'checks': ('plugins/module_utils/checks.py', None, [MODULE_UTILS_TESTS + 'test_checks.py']),
}
# What `scripts/test --only mutation` runs: a few functions, to keep the script alive.
SAMPLE = {'checks_sample': ('plugins/module_utils/checks.py', ['finite', 'positive', 'header_text'],
                            [MODULE_UTILS_TESTS + 'test_checks.py'])}
GOAL = 0.9


def scoped_lines(path, names):
    """The line numbers (1-based) of the named top-level functions, classes, Class.method and NAME = constants."""
    with open(path) as handle:
        tree = ast.parse(handle.read())
    lines = set()
    found = set()
    for node in tree.body:
        candidates = [(getattr(node, 'name', None), node)]
        if isinstance(node, ast.Assign):
            candidates = [(target.id, node) for target in node.targets if isinstance(target, ast.Name)]
        if isinstance(node, ast.ClassDef):
            candidates += [('%s.%s' % (node.name, item.name), item) for item in node.body
                           if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for name, item in candidates:
            if name in names:
                found.add(name)
                lines.update(range(item.lineno, item.end_lineno + 1))
    missing = set(names) - found
    if missing:
        sys.exit('%s has no %s' % (path, ', '.join(sorted(missing))))
    return lines


def write_patch(path, lines, patch_path):
    """A patch that adds exactly ``lines`` of ``path`` (mutmut mutates only the lines a patch adds)."""
    with open(path) as handle:
        new = handle.read().splitlines(True)
    old = [line for number, line in enumerate(new, 1) if number not in lines]
    with open(patch_path, 'w') as handle:
        handle.writelines(difflib.unified_diff(old, new, path, path, n=0))


def mutmut(python, *args, check=False):
    return subprocess.run([python, '-m', 'mutmut'] + list(args), capture_output=True, text=True, check=check)


def run_target(name, target, python, output):
    path, names, suite = target
    if os.path.exists('.mutmut-cache'):
        os.remove('.mutmut-cache')
    # one pytest run per test tree (the unit tests install Ansible's collection finder, the conformance tests not),
    # each in a fork of the server
    client = '%s %s run %s' % (python, FORKSERVER, SOCKET)
    runs = ['%s -x -q -p no:cacheprovider %s' % (client, ' '.join(tests))
            for tests in ([test for test in suite if test.startswith(tree)] for tree in (UNIT, CONFORMANCE)) if tests]
    runner = runs[0] if len(runs) == 1 else "sh -c '%s'" % ' && '.join(runs)
    args = ['run', '--paths-to-mutate', path, '--runner', runner, '--no-progress', '--simple-output',
            '--tests-dir', 'tests/']
    if names:
        patch = os.path.join(output, '%s.patch' % name)
        write_patch(path, scoped_lines(path, names), patch)
        args += ['--use-patch-file', patch]
    started = time.time()
    run = mutmut(python, *args)
    if SERVER.poll() is not None:  # every run after its end would have failed, and counted as a kill
        sys.exit('the fork server ended during %s: its results do not count' % name)
    with open(os.path.join(output, '%s.log' % name), 'w') as handle:
        handle.write(run.stdout + run.stderr)
    if run.returncode & 1:
        sys.exit('mutmut failed on %s (see %s.log):\n%s' % (name, name, (run.stdout + run.stderr)[-2000:]))
    ids = dict((status, [int(number) for number in mutmut(python, 'result-ids', status).stdout.split()])
               for status in ('killed', 'timeout', 'suspicious', 'survived', 'untested', 'skipped'))
    # a timeout (an endless loop, say) and a suspiciously slow run were caught by the suite too
    survivors = sorted(ids['survived'] + ids['untested'] + ids['skipped'])
    total = sum(len(numbers) for numbers in ids.values())
    with open(os.path.join(output, '%s.survivors.txt' % name), 'w') as handle:
        for number in survivors:
            handle.write(mutmut(python, 'show', str(number)).stdout + '\n')
    killed = total - len(survivors)
    return dict(target=name, file=path, scope=names or 'whole file', killed=killed, total=total,
                score=killed / total if total else 1.0, seconds=round(time.time() - started), survivors=survivors,
                timeouts=ids['timeout'])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('targets', nargs='*', help='targets (default: all): %s' % ', '.join(TARGETS))
    parser.add_argument('--sample', action='store_true', help='only the sample %s' % ', '.join(SAMPLE))
    parser.add_argument('--output', required=True)
    options = parser.parse_args()
    table = SAMPLE if options.sample else TARGETS
    names = options.targets or list(table)
    unknown = [name for name in names if name not in table]
    if unknown:
        sys.exit('unknown target(s) %s; known: %s' % (', '.join(unknown), ', '.join(table)))
    os.makedirs(options.output, exist_ok=True)
    global SERVER  # pylint: disable=global-statement
    SERVER = server = subprocess.Popen([sys.executable, FORKSERVER, 'serve', SOCKET])
    try:
        while not os.path.exists(SOCKET):
            if server.poll() is not None:
                sys.exit('the fork server did not start')
            time.sleep(0.1)
        return report(table, names, options.output)
    finally:
        server.kill()


def report(table, names, output):
    """Run the targets one after the other; print and write their results."""
    results = []
    for name in names:
        result = run_target(name, table[name], sys.executable, output)
        results.append(result)
        print('%-14s %4d/%-4d %5.1f%%  %4ds  %s' % (
            name, result['killed'], result['total'], 100 * result['score'], result['seconds'], result['file']), flush=True)
        with open(os.path.join(output, 'summary.json'), 'w') as handle:  # after each target: a long run
            json.dump(results, handle, indent=2)
    print('\n| file | killed/total | score |\n|---|---|---|')
    for result in results:
        scope = '' if result['scope'] == 'whole file' else ' (%s)' % ', '.join(result['scope'])
        print('| `%s`%s | %d/%d | %.1f%% |' % (
            result['file'], scope, result['killed'], result['total'], 100 * result['score']))
    below = [result['target'] for result in results if result['score'] < GOAL]
    if below:
        print('\nbelow the %d%% goal: %s (survivors in %s)' % (100 * GOAL, ', '.join(below), output))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
