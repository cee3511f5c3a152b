# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The KooPhone job mapping's edges the mutation run showed open: task ids that would change the path, the error
they give, and a job status the vendor does not document."""

from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils import koophone
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiError


@pytest.mark.parametrize('task_id', ['.', '..', '', 'a/b', 'a?b', 'a#b', 'a%2Fb'])
def test_a_task_id_that_would_change_the_path_is_refused(task_id):
    with pytest.raises(ApiError) as caught:
        koophone.task_path_segment(task_id)
    assert caught.value.reason == 'the vendor returned an unusable task id %r' % task_id
    assert caught.value.kind == 'malformed'


@pytest.mark.parametrize('task_id', ['TX1', 'X', '...', 'a.b', 0])
def test_any_other_task_id_is_kept(task_id):
    assert koophone.task_path_segment(task_id) == str(task_id)


def test_a_job_status_the_vendor_does_not_document_reads_as_running():
    reply = dict(task_id='t1', cmd_jobs=[dict(instance_id='a1', job_id='j1')])
    (result,) = koophone.job_results(1, ['a1'], reply, [dict(job_id='j1', status=9)])
    assert result['status'] == 'running'
