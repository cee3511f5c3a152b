#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: koophone_instance_reset
short_description: Reset Huawei Cloud KooPhone cloud phone instances in batches
version_added: 0.1.0
author: fleetops maintainers (@fleetops)
description:
  - Resets (re-initialises) KooPhone cloud phone instances with C(POST /v1/instances/batch-reset),
    at most 32 instances a call.
  - Optionally waits for the asynchronous reset jobs at C(GET /v1/instances/tasks/{task_id}) and
    returns a result per instance.
  - In check mode, asks for the instances' status (C(POST /v1/instances/batch-query-status)) and reports
    which instances would be reset and which are unknown, without resetting anything.
options:
  instance_ids:
    description:
      - IDs of the instances to reset. Repeats are ignored (the first occurrence keeps its place).
      - Each ID must be non-empty and at most 32 characters long, as the vendor requires.
      - Sent in batches of at most 32 IDs, the limit of both versions of the vendor documentation.
    type: list
    elements: str
    required: true
  wait:
    description:
      - Wait until every reset job has succeeded or failed, and return each instance's job result.
      - Only answers that carry a task id (newer API versions) can be waited on; when there is none,
        RV(waited) is V(false) and each instance's status stays V(requested).
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds in total to wait for the reset jobs when O(wait=true).
    type: float
    default: 600
  poll_interval:
    description:
      - Seconds between two polls of a reset task when O(wait=true).
    type: float
    default: 5
  fail_on_job_error:
    description:
      - When O(wait=true) and a reset job ends as failed, fail the task (results per instance are still returned).
      - Set to V(false) to report failed jobs in RV(failed_instance_ids) without failing.
    type: bool
    default: true
  journal:
    description:
      - A journal file (a path on the host that runs the module) that makes an interrupted reset safe to run again.
        The intent of every batch is written to it before the batch is sent, and the outcome after the answer; each
        record is flushed and synced to disk before the next batch goes out.
      - A run that finds the journal skips the instances it records as reset (RV(journal.skipped)), holds back
        those whose batch was sent without a recorded answer (RV(journal.held_back)), and sends the rest. Unless
        O(allow_double_reset=true), held back instances are not reset; the module resets the others, then fails
        saying what to check.
      - One journal is for one campaign, the instances it covers (O(campaign_instance_ids), else O(instance_ids))
        on one tenant (the API URL and the account that O(domain_name) and O(project_name), or O(project_id),
        name). A journal of another set of instances or another tenant is an error, and so is a second run while
        another run holds the journal.
      - When every instance of the campaign is recorded as reset, the journal records the campaign as finished, and
        a later run on it fails without sending anything. Give each campaign its own path.
      - In check mode the journal is only read (and not created); the result says what would be skipped, reset
        and held back.
      - Keep it on storage that outlives the run. In AWX or Automation Platform, that is a persistent volume or a
        directory of the execution node, not the job's private directory. The format (JSON lines) is documented
        in the collection's C(docs/reliability.md).
    type: path
  campaign_instance_ids:
    description:
      - Every instance the journal's campaign covers, when a campaign is reset over several calls (for example in
        waves, as the C(fleetops.maintenance.koophone_fleet_reset) role does). Every O(instance_ids) must be among
        them. Defaults to O(instance_ids). Needs O(journal).
    type: list
    elements: str
  allow_double_reset:
    description:
      - Reset the instances the journal holds back as well, those whose batch was sent without a recorded answer.
      - B(They may be reset twice.) The vendor may have reset them already, and it offers no way to ask whether a
        reset happened; a second reset wipes the phone again, minutes after its user started working on it.
      - Check each held back instance first, and give only those that need a reset in O(instance_ids).
    type: bool
    default: false
extends_documentation_fragment:
  - fleetops.maintenance.connection
  - fleetops.maintenance.concurrency
  - fleetops.maintenance.koophone
  - fleetops.maintenance.attributes
attributes:
  check_mode:
    support: full
    details: Check mode reads instance status only; it never resets.
  diff_mode:
    support: none
  idempotent:
    support: none
    details:
      - A reset is an action; every run that is not in check mode resets the instances again.
      - With O(journal), a run does not reset again the instances the journal records as reset.
  action_group:
    membership:
      - fleetops.maintenance.koophone
notes:
  - A batch reset is a write that must not be replayed blindly. If the API answers HTTP 500, 502, 503 or 504, or
    does not answer in time, the module fails saying the outcome is unknown; check the instances before running it again.
  - If batch N fails, no further batch is sent. The instances of the batches that completed (those before it, and with
    O(concurrency) above 1 those already in flight) have been reset; the failure returns them in RV(reset_instance_ids)
    and the IDs not processed in C(unprocessed).
  - The vendor offers no way to ask whether a reset happened. A journal therefore cannot tell, for a batch that
    was sent without an answer (the run was killed, or the answer was lost), whether its instances were reset, so it
    holds them back instead of guessing.
  - With O(journal), the module reads the status of each batch's instances (C(batch-query-status)) before sending
    it. When the answer is lost, it reads them again at once; an instance that was running (status 2) before and is
    resetting (status 4, the vendor SDK's C(InstanceStatus)) now was reset by that batch, and is recorded as reset
    in the journal and in RV(results) with its RV(results[].evidence). Only the others are held back.
  - With O(journal), RV(results), RV(reset_instance_ids) and RV(task_ids) are about this run's resets; the
    instances reset by an earlier run are in RV(journal.skipped), and O(wait=true) does not wait on their jobs.
  - The 2024 vendor documentation returns only C(error_code) and C(error_msg); the 2025 documentation adds
    C(data.task_id) and C(data.cmd_jobs). Both answers are accepted.
  - Job states are C(1) running, C(2) succeeded, C(-1) failed; the vendor SDK also lists C(0) not started (counted
    as running) and C(3) failed. A task's jobs carry no C(instance_id) (vendor SDK); each job is matched to its
    instance by the C(job_id) in the C(cmd_jobs) of the C(batch-reset) answer.
  - How C(batch-query-status) reports an unknown instance is not documented; the module treats an ID missing
    from C(status_results) as unknown. Frozen instances cannot be told apart there; their reset fails with
    C(KOOPHONE.API.2004).
'''

EXAMPLES = r'''
- name: Reset two cloud phones and wait for the reset jobs
  fleetops.maintenance.koophone_instance_reset:
    auth_token: "{{ koophone_token }}"
    instance_ids:
      - a44uhlf7
      - efjy72gs
    wait: true
    wait_timeout: 900
  register: reset

- name: Reset a cloud phone with AK/SK request signing (no token, no IAM call)
  fleetops.maintenance.koophone_instance_reset:
    access_key: "{{ vault_huawei_access_key }}"
    secret_key: "{{ vault_huawei_secret_key }}"
    project_id: "{{ huawei_project_id }}"
    instance_ids:
      - a44uhlf7
    wait: true

- name: Reset a fleet, logging in to IAM once for all calls
  module_defaults:
    group/fleetops.maintenance.koophone:
      username: "{{ vault_koophone_user }}"
      password: "{{ vault_koophone_password }}"
      domain_name: example-account
      project_name: cn-south-1
  block:
    - name: Preview which instances would be reset
      fleetops.maintenance.koophone_instance_reset:
        instance_ids: "{{ phone_ids }}"
      check_mode: true
      register: preview

    - name: Reset the known ones, reporting failed jobs without failing
      fleetops.maintenance.koophone_instance_reset:
        instance_ids: "{{ preview.would_reset }}"
        wait: true
        fail_on_job_error: false
      register: reset

    - name: Show instances whose reset failed
      ansible.builtin.debug:
        var: reset.failed_instance_ids
'''

RETURN = r'''
instance_ids:
  description: The instance IDs asked for, without repeats, in the order given.
  type: list
  elements: str
  returned: always
  sample: [a44uhlf7, efjy72gs]
reset_instance_ids:
  description: IDs of the instances whose batch the vendor accepted (on failure, those of the batches that completed).
  type: list
  elements: str
  returned: when not in check mode
  sample: [a44uhlf7, efjy72gs]
task_ids:
  description: Task ids the vendor returned, one per accepted batch that had one (empty for the 2024 API).
  type: list
  elements: str
  returned: when not in check mode
  sample: [0e7c1d2f9a8b4c3d8e7f6a5b4c3d2e1f]
results:
  description: One entry per reset (or, on failure, accepted) instance.
  type: list
  elements: dict
  returned: when not in check mode
  contains:
    instance_id:
      description: The instance.
      type: str
      sample: a44uhlf7
    batch:
      description: The 1-based number of the batch that carried it.
      type: int
      sample: 1
    job_id:
      description: The vendor's reset job, when the answer named one (else null).
      type: str
      sample: 5b8a6f0e2c1d4e3f9a8b7c6d5e4f3a2b
    status:
      description:
        - V(requested) (accepted, not waited on), V(running) (still running when waiting stopped),
          V(succeeded) or V(failed).
      type: str
      sample: succeeded
    error_code:
      description: The job's error code.
      type: str
      returned: when status is failed
      sample: KOOPHONE.API.9999
    error_msg:
      description: The job's error message.
      type: str
      returned: when status is failed
      sample: reset failed
    evidence:
      description:
        - Why an instance of a batch whose answer was lost is known to be reset (with O(journal)) - its status before
          the batch was sent and right after. The journal records it as reset.
      type: str
      returned: for an instance of a failed batch proven reset
      sample: status 2 (running) before the batch was sent, 4 (resetting) after it
  sample:
    - {instance_id: a44uhlf7, batch: 1, job_id: 5b8a6f0e2c1d4e3f9a8b7c6d5e4f3a2b, status: succeeded}
waited:
  description: Whether the module waited for reset jobs. V(false) with O(wait=true) means the vendor returned no task id.
  type: bool
  returned: when not in check mode
  sample: true
failed_instance_ids:
  description: Instances whose reset job ended as failed.
  type: list
  elements: str
  returned: when not in check mode
  sample: []
would_reset:
  description: The known instances that would be reset.
  type: list
  elements: str
  returned: in check mode
  sample: [a44uhlf7]
unknown_instance_ids:
  description: Instances the vendor did not report a status for (unknown, or not this tenant's).
  type: list
  elements: str
  returned: in check mode
  sample: [efjy72gs]
journal:
  description: What the journal said about this run's instances, and the campaign's state.
  type: dict
  returned: when O(journal) is set
  contains:
    path:
      description: The journal file.
      type: str
      sample: /var/lib/fleetops/journals/2026-12-phone-refresh.journal
    resumed:
      description: Whether the journal existed before this run (an interrupted or earlier run of the campaign).
      type: bool
      sample: true
    started:
      description: When the journal was created (UTC).
      type: str
      sample: "2026-12-01T02:10:44Z"
    skipped:
      description: Instances of O(instance_ids) the journal records as reset by an earlier run; not reset again.
      type: list
      elements: str
      sample: [a44uhlf7]
    held_back:
      description:
        - Instances whose batch the journal records as sent without an answer; not reset (their outcome is
          unknown). Empty with O(allow_double_reset=true).
      type: list
      elements: str
      sample: [efjy72gs]
    resent:
      description: Held back instances reset again because O(allow_double_reset=true).
      type: list
      elements: str
      sample: []
    finished:
      description: When the campaign was recorded as finished (every instance reset), or null.
      type: str
      sample: null
  sample: {path: /var/lib/fleetops/journals/2026-12-phone-refresh.journal, resumed: true,
           started: "2026-12-01T02:10:44Z", skipped: [a44uhlf7], held_back: [efjy72gs], resent: [], finished: null}
msg:
  description: A summary of what was done.
  type: str
  returned: always
  sample: reset 2 instance(s) in 1 batch(es); all reset jobs succeeded
failed_batch:
  description: The 1-based number of the batch that failed.
  type: int
  returned: on failure of a batch
  sample: 2
outcome_unknown_items:
  description:
    - The IDs of the failed batch when its outcome is unknown (the request may have reached the API before the
      answer was lost), except those proven reset by their status (in RV(reset_instance_ids)), and the instances
      the journal held back. Check them before sending them again; they are not in RV(unprocessed).
  type: list
  elements: str
  returned: when a batch failed with an unknown outcome, or the journal held instances back
  sample: [efjy72gs]
unprocessed:
  description: IDs not reset because their batch failed (unless its outcome is unknown) or came after the failed one.
  type: list
  elements: str
  returned: on failure of a batch
  sample: [efjy72gs]
error:
  description: Details of the failed API call (no secrets).
  type: dict
  returned: on an API failure
  sample: {method: POST, path: /v1/instances/batch-reset, status: 200, vendor_code: KOOPHONE.API.2004,
           vendor_message: "Instance frozen: a44uhlf7", request_id: 3f2b6c1e-8d4a-4b9e-a1c2-7e6f5d4c3b2a, outcome_unknown: false, kind: api}
task_id:
  description: The task whose wait failed or timed out.
  type: str
  returned: when waiting for a task failed
  sample: 0e7c1d2f9a8b4c3d8e7f6a5b4c3d2e1f
last_state:
  description: The task's last known jobs when waiting failed or timed out.
  type: list
  elements: dict
  returned: when waiting for a task failed
  sample: [{job_id: 5b8a6f0e2c1d4e3f9a8b7c6d5e4f3a2b, status: 1}]
'''

from ansible_collections.fleetops.maintenance.plugins.module_utils.koophone import job_results
from ansible_collections.fleetops.maintenance.plugins.module_utils.koophone_options import (
    KOOPHONE,
    campaign,
    check_waiting,
    journal_target,
    unique_instance_ids,
)
from ansible_collections.fleetops.maintenance.plugins.module_utils.runtime import FleetModule

ARGUMENT_SPEC = dict(
    instance_ids=dict(type='list', elements='str', required=True),
    wait=dict(type='bool', default=False),
    wait_timeout=dict(type='float', default=600),
    poll_interval=dict(type='float', default=5),
    fail_on_job_error=dict(type='bool', default=True),
    journal=dict(type='path'),
    campaign_instance_ids=dict(type='list', elements='str'),
    allow_double_reset=dict(type='bool', default=False),
)
FINISHED_CAMPAIGN = ('%(path)s records a finished campaign (all %(count)d of its instances were reset; finished at '
                     '%(finished)s): nothing was sent. To reset them again, start a new campaign with a new journal '
                     'path, or remove this file')


def preview(client, instance_ids, plan):
    """Check mode: which instances would be reset (those the vendor reports a status for), after the journal."""
    known, unknown = client.query_status(plan.to_send if plan else instance_ids)
    would_reset = [item['instance_id'] for item in known]
    msg = 'would reset %d instance(s); %d unknown' % (len(would_reset), len(unknown))
    extra = {}
    if plan:
        extra = dict(journal=plan.result(), outcome_unknown_items=plan.held_back)
        msg += '; journal: %d skipped (already reset), %d held back (outcome unknown)%s' % (
            len(plan.skipped), len(plan.held_back), ', %d resent' % len(plan.resent) if plan.resent else '')
    return dict(changed=bool(would_reset), instance_ids=instance_ids, would_reset=would_reset,
                unknown_instance_ids=unknown, msg=msg, **extra)


def outcome(instance_ids, accepted, jobs=None, plan=None, proven=()):
    """The result of the accepted batches [(batch number, instance ids, reply)], with each batch's final jobs (by
    batch number) when waited on, the instances of a failed batch proven reset [(batch number, id, evidence)], and
    what the journal skipped and held back."""
    jobs = jobs or {}
    results = [item for number, batch, reply in accepted for item in job_results(number, batch, reply, jobs.get(number))]
    results += [dict(instance_id=iid, batch=number, job_id=None, status='requested', evidence=evidence)
                for number, iid, evidence in proven]
    result = dict(changed=bool(accepted or proven), instance_ids=instance_ids,
                  reset_instance_ids=[iid for number, batch, reply in accepted for iid in batch] + [
                      iid for number, iid, evidence in proven],
                  task_ids=[reply['task_id'] for number, batch, reply in accepted if reply['task_id']], results=results,
                  failed_instance_ids=[item['instance_id'] for item in results if item['status'] == 'failed'])
    if plan:
        result.update(journal=plan.result())
        if plan.held_back:
            result.update(outcome_unknown_items=plan.held_back)
    return result


def wait_for_jobs(module, client, instance_ids, accepted, plan):
    """The final jobs of every accepted batch that has a task id, by batch number, all within wait_timeout; up to
    ``concurrency`` tasks are polled at once."""
    tasks = [(number, reply['task_id']) for number, batch, reply in accepted if reply['task_id']]

    def wait(task, remaining):
        number, task_id = task
        return number, client.wait_for_jobs(task_id, remaining, module.params['poll_interval'])

    def partial(failure):
        jobs = dict(failure.completed)
        jobs.update((tasks[index][0], error.last_state) for index, error in failure.errors.items()
                    if error.kind == 'task')  # a task that failed or timed out: its last jobs (polling.TaskFailed)
        return dict(waited=True, **outcome(instance_ids, accepted, jobs, plan))
    return dict(module.wait_all(tasks, wait, module.params['wait_timeout'], partial=partial))


def reset(module, client, instance_ids, plan):
    """Send the batches (under the journal, when there is one) and wait for their jobs if asked: the result and the
    number of batches sent."""
    def send(batch):
        return batch, client.batch_reset(batch)

    def partial(failure):
        sent = [(number, batch, reply) for number, batch, (dummy, reply) in failure.completed_batches]
        return dict(outcome(instance_ids, sent, plan=plan, proven=failure.proven_applied), waited=False)

    replies = module.batches(plan.to_send if plan else instance_ids, module.batch_size, send, partial=partial,
                             journal=plan, details=lambda sent: dict(task_id=sent[1]['task_id']),
                             evidence=client.reset_evidence())
    accepted = [(number, batch, reply) for number, (batch, reply) in enumerate(replies, 1)]
    waited = module.params['wait'] and any(reply['task_id'] for number, batch, reply in accepted)
    jobs = wait_for_jobs(module, client, instance_ids, accepted, plan) if waited else {}
    if plan:
        plan.finish_if_done()
    return dict(outcome(instance_ids, accepted, jobs, plan), waited=waited), len(accepted)


def finish(params, result, batches):
    """The result with what was done said: failed on instances the journal held back, and on failed reset jobs
    unless fail_on_job_error is false."""
    summary = 'reset %d instance(s) in %d batch(es)' % (len(result['reset_instance_ids']), batches)
    plan = result.get('journal')
    if plan:
        summary += '; journal %s: %d skipped (already reset by an earlier run)' % (plan['path'], len(plan['skipped']))
        summary += ', %d reset again (allow_double_reset)' % len(plan['resent']) if plan['resent'] else ''
    failed = [item for item in result['results'] if item['status'] == 'failed']
    if params['wait'] and not result['waited'] and batches:
        summary += '; the vendor returned no task id, so there was nothing to wait on'
    elif result['waited'] and failed:
        summary += '; reset jobs failed for %d instance(s): %s' % (len(failed), ', '.join(
            '%s (%s %s)' % (item['instance_id'], item.get('error_code'), item.get('error_msg')) for item in failed))
    elif result['waited']:
        summary += '; all reset jobs succeeded'
    if plan and plan['held_back']:
        return dict(result, failed=True, msg=summary + '; ' + held_back_text(plan))
    if result['waited'] and failed and params['fail_on_job_error']:
        return dict(result, failed=True, msg=summary)
    return dict(result, msg=summary)


def held_back_text(plan):
    return ('%d instance(s) held back, not reset: the journal records their batch as sent without an answer, so the '
            'vendor may have reset them already. Check each one (its status and last reset in the KooPhone console); '
            'to reset the ones that need it, run again with instance_ids set to them and allow_double_reset=true. '
            'Held back: %s' % (len(plan['held_back']), ', '.join(plan['held_back'])))


def main():
    module = FleetModule(KOOPHONE, ARGUMENT_SPEC, concurrency=True)
    params = module.params
    with module.inputs():
        instance_ids = unique_instance_ids(params['instance_ids'])
        covered = campaign(params, instance_ids)
        check_waiting(params)
    with module.journal('koophone_instance_reset', journal_target(params), covered, instance_ids,
                        resend_unknown=params['allow_double_reset'], finished=FINISHED_CAMPAIGN) as plan:
        with module.client(dict(instance_ids=instance_ids)) as client:
            if module.check_mode:
                result = preview(client, instance_ids, plan)
            else:
                result = finish(params, *reset(module, client, instance_ids, plan))
    module.end(result)


if __name__ == '__main__':
    main()
