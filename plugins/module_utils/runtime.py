# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module runtime: what every module of the collection does the same way.

It builds the argument spec (the connection options, the vendor's and the module's own), checks the
connection options before anything is sent, turns bad input into one clear failure, opens the vendor client
as a context manager that is always closed, and runs everything that is sent: sized batches (``batches``,
under the reset journal when there is one), per-item calls in parallel (``each``), the polling of vendor tasks
within one deadline (``wait_all``), and the journal itself (``journal``). It turns failures (every FleetError)
into one result contract: what was completed, which items have an unknown outcome (``outcome_unknown_items``),
and which were not processed (``unprocessed``), the same after a failure as after success; and it ends the
module, once (``end``). A module keeps only its options, its plan and its calls: its helpers return results.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import time

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.fleetops.maintenance.plugins.module_utils import checks
from ansible_collections.fleetops.maintenance.plugins.module_utils.batching import BatchFailure, run_batches
from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput
from ansible_collections.fleetops.maintenance.plugins.module_utils.common import FleetError
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.fleetops.maintenance.plugins.module_utils.journal import JournalError, open_journal
from ansible_collections.fleetops.maintenance.plugins.module_utils.journaled import Resume, journaled, when
from ansible_collections.fleetops.maintenance.plugins.module_utils.polling import TaskFailed

# Documented in the fleetops.maintenance.concurrency doc fragment; the modules that send several requests take it.
CONCURRENCY_ARGUMENT_SPEC = dict(
    concurrency=dict(type='int', default=4),
)

# Documented in the fleetops.maintenance.connection doc fragment.
CONNECTION_ARGUMENT_SPEC = dict(
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['FLEETOPS_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(env_fallback, ['FLEETOPS_CA_PATH'])),
    timeout=dict(type='float', default=30, fallback=(env_fallback, ['FLEETOPS_TIMEOUT'])),
    retries=dict(type='int', default=3),
    retry_backoff=dict(type='float', default=1.0),
    rate_limit_timeout=dict(type='float', default=300),
)


def environment_variables(spec, option):
    """The environment variables an option falls back to."""
    fallback = spec.get(option, {}).get('fallback')
    return list(fallback[1]) if fallback and fallback[0] is env_fallback else []


def check_connection(vendor, params, spec):
    """The connection options' checks, before anything is sent (raises InvalidInput): the vendor's required options
    (naming their environment variables), the shared options, the options sent in HTTP headers, the URLs, and the
    vendor's own check. The inventory
    plugins make the same checks."""
    missing = [option for option in vendor.required if params.get(option) in (None, '')]
    if missing:
        raise InvalidInput('missing required arguments: %s' % ', '.join(
            '%s (or %s)' % (option, ' or '.join(environment_variables(spec, option)))
            if environment_variables(spec, option) else option for option in missing))
    checks.connection(params)
    if 'concurrency' in params:
        checks.at_least('concurrency', params['concurrency'], 1)
    for option in vendor.headers:
        checks.header_text(option, params.get(option))
    for option in vendor.urls:
        if params.get(option) is not None or option in vendor.required:
            checks.http_url(option, params.get(option), ' or '.join(environment_variables(spec, option)))
    if vendor.check:
        vendor.check(params)


class FleetModule(object):
    """One run of a collection module: its options (checked), the vendor client, and its result."""

    def __init__(self, vendor, argument_spec, concurrency=False, **module_options):
        """``concurrency``: the module takes the concurrency option (it sends several requests)."""
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        spec.update(vendor.argument_spec)
        if concurrency:
            spec.update(CONCURRENCY_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self.ansible = AnsibleModule(argument_spec=spec, supports_check_mode=True, **module_options)
        self.vendor = vendor
        self.spec = spec
        self.params = self.ansible.params
        self.check_mode = self.ansible.check_mode
        self.diff_mode = self.ansible._diff
        if not HAS_REQUESTS:
            self.ansible.fail_json(msg=missing_required_lib('requests'), exception=str(REQUESTS_IMPORT_ERROR))
        with self.inputs():
            self._check_connection()

    def _check_connection(self):
        check_connection(self.vendor, self.params, self.spec)

    @contextlib.contextmanager
    def inputs(self):
        """Checks of the input: an InvalidInput ends the module with its message, before anything is sent."""
        try:
            yield
        except InvalidInput as exc:
            self.ansible.fail_json(msg=str(exc))

    @contextlib.contextmanager
    def client(self, partial=None):
        """The vendor client, always closed; a failure (any FleetError) ends the module with the ``partial`` result
        (a dict the module keeps filling in: what it holds when the failure happens is returned)."""
        client = self.vendor.client(self.params)
        try:
            yield client
        except FleetError as exc:
            self.fail_with(exc, **(partial or {}))
        finally:
            client.close()

    @property
    def batch_size(self):
        """The most items one of the vendor's batch calls takes."""
        return self.vendor.batch_size

    @property
    def concurrency(self):
        """How many batches may be in flight at once (1 for a module without the option)."""
        return self.params.get('concurrency') or 1

    def batches(self, items, size, action, partial=None, journal=None, details=None, evidence=None):
        """The results of ``action(batch)`` for each batch, in order, up to ``concurrency`` batches at once.

        With a ``journal`` (what ``journal()`` gave), each batch's intent is recorded before it is sent and its outcome
        after (``details(result)``: what the outcome record keeps; ``evidence``: a common.Evidence, how items of a
        batch whose answer was lost are proven applied). On a failure the module ends reporting what the finished
        batches did (``partial(failure)``, from the BatchFailure), the failed batch, and the items whose outcome is
        unknown or that were not processed.
        """
        if journal is not None:
            action = journaled(journal.journal, action, details, evidence)
        try:
            return self.run_batches(items, size, action)
        except BatchFailure as failure:
            self.fail_with(failure, **(partial(failure) if partial else {}))

    def run_batches(self, items, size, action):
        """``batches`` for a module that reports a failure in its own terms: a failure raises the BatchFailure."""
        return run_batches(items, size, action, errors=(FleetError,), concurrency=self.concurrency)

    def each(self, items, call, partial=None):
        """The results of ``call(item)`` for each item (a task to wait on, for example), in order, up to
        ``concurrency`` at once. On a failure no new call starts; those under way finish, and the module ends with
        the first failure's own error (the items are not batches) and ``partial(failure)`` (from the BatchFailure,
        one batch an item)."""
        try:
            return run_batches(items, 1, lambda batch: call(batch[0]), errors=(FleetError,),
                               concurrency=self.concurrency)
        except BatchFailure as failure:
            self.fail_with(failure.error, **(partial(failure) if partial else {}))

    def wait_all(self, tasks, wait, timeout, partial=None):
        """``each`` for polling: every task waited on, up to ``concurrency`` at once, all within ``timeout`` seconds
        (one deadline on a monotonic clock); ``wait(task, remaining)`` polls one task for at most the time left."""
        deadline = time.monotonic() + timeout
        return self.each(tasks, lambda task: wait(task, max(deadline - time.monotonic(), 0.001)), partial)

    @contextlib.contextmanager
    def journal(self, module_name, target, campaign, items, resend_unknown=False, finished=None, option='journal'):
        """The journal named by the module's ``option``, open and locked for this run, as what this run resumes (a
        journaled.Resume of ``items``; None when the option is not set). In check mode it is only read.

        A journal that cannot be used ends the module with a message that names the option, as does a campaign the
        journal records as finished: ``finished`` is that message, with %(path)s, %(count)d and %(finished)s.
        """
        path = self.params.get(option)
        if not path:
            yield None
            return
        try:
            journal = open_journal(path, module_name, target, campaign, read_only=self.check_mode)
        except JournalError as exc:
            self.fail('%s: %s' % (option, exc))
        with journal:
            if journal.finished:
                facts = dict(path=journal.path, count=len(journal.header['items']), finished=when(journal.finished))
                self.fail('%s: %s' % (option, finished % facts))
            yield Resume(journal, items, resend_unknown)

    def end(self, result):
        """End the module, once, with the result a module's helpers built: it fails when the result says
        ``failed`` (its ``msg`` the message), and exits otherwise."""
        result = dict(result)
        if result.pop('failed', False):
            self.fail(result.pop('msg'), **result)
        self.exit(**result)

    def warn(self, message):
        self.ansible.warn(message)

    def exit(self, **result):
        result.setdefault('changed', False)
        self.ansible.exit_json(**result)

    def fail(self, msg, **result):
        result.setdefault('changed', False)
        self.ansible.fail_json(msg=msg, **result)

    def fail_with(self, exc, **result):
        """End the module with a clear message for a failure, keeping the results so far."""
        result.setdefault('changed', False)
        if isinstance(exc, InvalidInput):
            self.ansible.fail_json(msg=str(exc), **result)
        if isinstance(exc, BatchFailure):
            result.setdefault('failed_batch', exc.failed_index + 1)
            result.setdefault('unprocessed', exc.unprocessed_items)
            if exc.outcome_unknown:  # added to those the module already reports (a journal's held back items)
                known = result.get('outcome_unknown_items') or []
                result['outcome_unknown_items'] = known + [item for item in exc.outcome_unknown_items if item not in known]
            result['error'] = exc.to_dict()
            self.ansible.fail_json(msg=exc.summary(), **result)
        if isinstance(exc, TaskFailed):
            result.setdefault('task_id', exc.task_id)
            result.setdefault('last_state', exc.last_state)
        else:
            result.setdefault('error', exc.to_dict())
        self.ansible.fail_json(msg=str(exc), **result)
