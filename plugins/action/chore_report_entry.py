# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A chore's report entry made in Python from its registered module results.

The chore_summary filter does the same inside a template, where every registered result reaches it through Jinja:
with 5,000 customers that costs tens of seconds. Here the large inputs (from_vars) are read from the task's
variables as they were registered.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.fleetops.maintenance.plugins.filter.fleet import SUMMARIES

ARGUMENT_SPEC = dict(
    chore=dict(type='str', required=True, choices=sorted(SUMMARIES)),
    inputs=dict(type='dict', default={}),
    from_vars=dict(type='dict', default={}),
)


class ActionModule(ActionBase):
    """Runs on the controller only and changes nothing."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(self._task.args)
        if validation.error_messages:
            raise AnsibleActionFail('chore_report_entry: %s' % '; '.join(validation.error_messages))
        args = validation.validated_parameters
        inputs = dict(args['inputs'])
        for name, variable in args['from_vars'].items():
            if name in inputs:
                raise AnsibleActionFail('chore_report_entry: %s is in both inputs and from_vars' % name)
            # as registered (not templated): a variable that is not set, such as a task that did not run, is empty
            inputs[name] = (task_vars or {}).get(str(variable), [])
        try:
            entry = SUMMARIES[args['chore']](**inputs)
        except (KeyError, TypeError, ValueError) as exc:
            raise AnsibleActionFail('chore_report_entry(%s): %s' % (args['chore'], exc))
        result.update(changed=False, status=entry['status'], headline=entry['headline'],
                      failure_messages=[failure['msg'] for failure in entry['failures']], entry=entry)
        return result
