# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Check mode is a read-only pre-flight by the shape of main(), not by an exit hidden in a helper: even when
``preview`` returns, koophone_instance_reset cannot reach a send; and no writing module calls its vendor's write
in check mode."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils.altcraft import AltcraftClient
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiClient
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot import IotClient
from ansible_collections.fleetops.maintenance.plugins.module_utils.koophone import KooPhoneClient
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss import WfbssClient
from ansible_collections.fleetops.maintenance.plugins.modules import koophone_instance_reset
from ansible_collections.fleetops.maintenance.tests.unit.plugins.test_fault_matrix import MODULES

WRITES = [(KooPhoneClient, 'batch_reset'), (IotClient, 'bulk_update'), (AltcraftClient, 'refresh_counters'),
          (WfbssClient, 'reset'), (WfbssClient, 'create_report'), (WfbssClient, 'update_report'),
          (WfbssClient, 'delete_report')]
WRITING_MODULES = [spec for spec in MODULES if spec.applied is not None]


class SentInCheckMode(AssertionError):
    pass


def refuse(what, sent):
    def call(*args, **kwargs):
        sent.append(what)
        raise SentInCheckMode('%s called in check mode' % what)
    return call


@pytest.fixture
def sent(monkeypatch):
    """Every vendor write (and, for the reset, every HTTP request) refuses to run and is recorded."""
    calls = []
    for client, method in WRITES:
        monkeypatch.setattr(client, method, refuse('%s.%s' % (client.__name__, method), calls))
    return calls


def test_check_mode_cannot_reach_a_reset_even_when_preview_returns(simulator, run_module, koophone_connection, sent,
                                                                   monkeypatch):
    previewed = dict(changed=True, instance_ids=['i-1'], would_reset=['i-1'], unknown_instance_ids=[], msg='previewed')
    monkeypatch.setattr(koophone_instance_reset, 'preview', lambda client, instance_ids, plan: dict(previewed))
    monkeypatch.setattr(ApiClient, 'request', refuse('ApiClient.request', sent))
    ids = list(simulator.state('koophone')['instances'])[:3]
    result, failed = run_module(koophone_instance_reset, dict(koophone_connection, instance_ids=ids), check_mode=True)
    assert not failed, result
    result.pop('warnings', None)
    assert result == previewed
    assert sent == [] and simulator.requests == []


@pytest.mark.parametrize('spec', WRITING_MODULES, ids=[spec.name for spec in WRITING_MODULES])
def test_no_writing_module_writes_in_check_mode(simulator, run_module, sent, spec):
    before = spec.applied(simulator)
    result, failed = run_module(spec.module, spec.args(simulator), check_mode=True)
    assert not failed, result
    assert result['changed'] is True, result  # there was something to write
    assert sent == [] and spec.applied(simulator) == before
