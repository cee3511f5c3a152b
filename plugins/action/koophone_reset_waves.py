# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every KooPhone wave in one task: koophone_instance_info and koophone_instance_reset run from here, the health
check, the failed-share threshold and the pause in Python (plugins/plugin_utils/koophone_waves.py).

One task instead of four a wave: a task costs Ansible about half a second at 25,000 inventory hosts, and a list of
wave records rebuilt by set_fact after every wave grows with the square of the waves.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.fleetops.maintenance.plugins.plugin_utils import koophone_summary, koophone_waves

try:  # module_defaults for the modules called from here, as ansible.builtin.gather_facts applies them
    from ansible.executor.module_common import _apply_action_arg_defaults
except ImportError:  # pragma: no cover - every supported ansible-core has it
    _apply_action_arg_defaults = None

RESET = 'fleetops.maintenance.koophone_instance_reset'
INFO = 'fleetops.maintenance.koophone_instance_info'

# The loop's own options; every other option is the modules' connection (and is passed to both).
ARGUMENT_SPEC = dict(
    instance_ids=dict(type='list', elements='str', required=True),
    wave_size=dict(type='int', default=50),
    pause_seconds=dict(type='float', default=60),
    max_failed_share=dict(type='float', default=0.1),
    expected_status=dict(type='int', default=2),
    skip_frozen=dict(type='bool', default=True),
    wait_timeout=dict(type='float', default=900),
    poll_interval=dict(type='float', default=5),
    journal=dict(type='path'),
    campaign_instance_ids=dict(type='list', elements='str'),
    allow_double_reset=dict(type='bool', default=False),
    concurrency=dict(type='int', default=4),
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        connection = dict((key, value) for key, value in self._task.args.items() if key not in ARGUMENT_SPEC)
        validated = ArgumentSpecValidator(ARGUMENT_SPEC).validate(
            dict((key, value) for key, value in self._task.args.items() if key in ARGUMENT_SPEC))
        if validated.error_messages:
            raise AnsibleActionFail('; '.join(validated.error_messages))
        options = validated.validated_parameters
        if options['wave_size'] < 1:
            raise AnsibleActionFail('wave_size must be at least 1, got %d' % options['wave_size'])
        if not 0.0 <= options['max_failed_share'] <= 1.0:
            raise AnsibleActionFail('max_failed_share must be between 0.0 and 1.0, got %s' % options['max_failed_share'])
        check_mode = bool(self._task.check_mode)  # what _execute_module tells the modules

        def call(module, args):
            args = dict(connection, concurrency=options['concurrency'], **args)
            if _apply_action_arg_defaults is not None:
                args = _apply_action_arg_defaults(module, self._task, args, self._templar)
            return self._execute_module(module_name=module, module_args=args, task_vars=task_vars)

        def list_fleet(ids):
            return call(INFO, dict(instance_ids=ids, list_instances=True))

        def reset(wave):
            args = dict(instance_ids=wave, wait=True, wait_timeout=options['wait_timeout'],
                        poll_interval=options['poll_interval'], fail_on_job_error=False,
                        allow_double_reset=options['allow_double_reset'])
            if options['journal']:
                args.update(journal=options['journal'], campaign_instance_ids=options['campaign_instance_ids'] or [])
            return call(RESET, args)

        def check(wave):
            return call(INFO, dict(instance_ids=wave))

        try:
            waves = koophone_waves.run(
                options['instance_ids'], options['wave_size'], options['max_failed_share'], options['expected_status'],
                options['pause_seconds'], check_mode, list_fleet if options['skip_frozen'] else None, reset, check,
                progress=lambda text: self._display.display('KooPhone %s' % text))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        # The chore's report entry made here, from the records as they are: what the task returns is the summary
        # (which holds every instance once), not the records and the summary.
        result.update(
            changed=waves['changed'], stopped=waves['stopped'], module_seconds=round(waves['module_seconds'], 3),
            wave_seconds=waves['wave_seconds'],
            summary=koophone_summary.summarize(
                options['instance_ids'], waves['planned_waves'], waves['waves'], waves['frozen'], waves['unknown'],
                waves['stopped'], waves['errors'], options['wave_size'], options['max_failed_share'], check_mode))
        return result
