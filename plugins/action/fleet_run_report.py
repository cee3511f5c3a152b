# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Writes the run report's four files on the controller, from the chores' results (see the fleet_run_report module)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.fleetops.maintenance.plugins.plugin_utils import fleet_report, report_files

# How many failure messages the result carries (the report has all of them).
FIRST_MESSAGES = 20
ARGUMENT_SPEC = dict(
    chores=dict(type='list', elements='raw', default=[]),
    chore_facts=dict(type='list', elements='str', default=[]),
    dest=dict(type='path', required=True),
    copy_to=dict(type='path'),
    check_mode=dict(type='bool', required=True),
    limit=dict(type='str'),
    awx_job_id=dict(type='raw'),
    started_at=dict(type='str'),
    rejected=dict(type='list', elements='dict', default=[]),
)


class ActionModule(ActionBase):
    """Runs on the controller only: the report is never a change of the fleet, also in check mode."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(self._task.args)
        if validation.error_messages:
            raise AnsibleActionFail('fleet_run_report: %s' % '; '.join(validation.error_messages))
        args = validation.validated_parameters
        report, rows = fleet_report.build(args['chores'] + self._controller_facts(args['chore_facts'], task_vars), args['check_mode'], limit=args['limit'],
                                          awx_job_id=args['awx_job_id'], started_at=args['started_at'],
                                          rejected=args['rejected'])
        try:
            paths = report_files.write(args['dest'], report, rows)
            copies = report_files.copy(paths, args['copy_to']) if args['copy_to'] else []
        except (IOError, OSError) as exc:
            raise AnsibleActionFail('fleet_run_report: could not write the run report: %s' % exc)
        result.update(
            changed=False, status=report['status'], check_mode=report['check_mode'], mode=report['mode'],
            headlines=dict((vendor['chore'], vendor['headline']) for vendor in report['vendors']),
            failure_count=len(report['failures']), failure_messages=[failure['msg'] for failure in report['failures'][:FIRST_MESSAGES]],
            files=dict((os.path.basename(path), path) for path in paths), copies=copies,
        )
        return result

    @staticmethod
    def _controller_facts(names, task_vars):
        """The chores' entries set as facts of localhost, as they were set: templating them again (what a template
        naming them does) costs Ansible tens of seconds at 25,000 hosts; a fact that is not set is left out."""
        if not names:
            return []
        hostvars = (task_vars or {}).get('hostvars')
        if hostvars is None or not hasattr(hostvars, 'raw_get'):
            raise AnsibleActionFail('fleet_run_report: chore_facts needs the hostvars of the run')
        controller = hostvars.raw_get('localhost')
        if not isinstance(controller, dict):
            return []
        return [controller.get(name) for name in names]
