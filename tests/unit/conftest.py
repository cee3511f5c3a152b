# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures shared by the unit tests: the vendor simulator on loopback, a module runner, and call tables."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import pytest

from ansible.module_utils import _internal as module_internal
from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.common.warnings import get_warning_messages
from ansible.module_utils.testing import patch_module_args


def _install_collection_finder():
    """The collection finder ansible-test installs before any test is imported; done here, before anything of the
    collection is imported, when pytest runs the tests directly (PYTHONPATH holds the directory with
    ansible_collections/fleetops/maintenance), so that the plugin loader finds the plugins and their doc fragments."""
    if any(type(finder).__name__ == '_AnsibleCollectionFinder' for finder in sys.meta_path):
        return  # ansible-test's (where module tests cannot import controller code at all)
    from ansible.plugins.loader import init_plugin_loader  # pylint: disable=import-outside-toplevel
    paths = [entry for entry in sys.path
             if os.path.isdir(os.path.join(entry or '.', 'ansible_collections', 'fleetops', 'maintenance'))]
    init_plugin_loader(paths[:1])


_install_collection_finder()

from ansible_collections.fleetops.maintenance.simulator import Simulator  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS  # noqa: E402  pylint: disable=wrong-import-position


class ModuleExit(Exception):
    """Raised instead of sys.exit so a test can read the module's result."""

    def __init__(self, result, failed):
        super().__init__(result.get('msg', ''))
        self.result = result
        self.failed = failed


def _exit_json(self, **kwargs):  # pylint: disable=unused-argument
    kwargs.setdefault('changed', False)
    kwargs['warnings'] = list(get_warning_messages())
    raise ModuleExit(kwargs, failed=False)


def _fail_json(self, msg, **kwargs):  # pylint: disable=unused-argument
    kwargs['msg'] = msg
    kwargs['failed'] = True
    kwargs['warnings'] = list(get_warning_messages())
    raise ModuleExit(kwargs, failed=True)


# Prefixes of the environment variables the modules fall back to: a developer's own settings must not leak in.
MODULE_ENV_PREFIXES = ('WFBSS_', 'KOOPHONE_', 'HUAWEICLOUD_SDK_', 'PANW_IOT_', 'ALTCRAFT_', 'FLEETOPS_')


@pytest.fixture(autouse=True)
def clean_module_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith(MODULE_ENV_PREFIXES):
            monkeypatch.delenv(name)


@pytest.fixture(scope='session')
def simulator_server():
    sim = Simulator()
    sim.start()
    # The IoT app makes its RSA token-signing key on the first token request: seconds of pure Python on busy cores,
    # longer than a test client's timeout, which would then retry the request. Made once here, before any test.
    iot_app = next((app for app in sim.apps if app.name == 'iot'), None)
    assert iot_app is not None and iot_app.signing_key is not None
    yield sim
    sim.stop()


@pytest.fixture
def simulator(simulator_server):
    """The simulator, back at its default seed with an empty request log and no faults; its log holds the
    request bodies (secrets masked) so that a test can compare the calls a module made with a call table."""
    simulator_server.reset()
    simulator_server.configure(log_bodies=True)
    return simulator_server


@dataclass(frozen=True)
class Call:
    """One request as the simulator received it: method, path, the query parameters (decoded, in any order) and
    the parsed JSON body or form (values of secret-looking keys read '***'); None for no query or no body."""

    method: str
    path: str
    query: dict[str, str] | None = None
    body: Any = None


def received_calls(simulator):
    """The simulator's request log as Calls, in the order the requests arrived."""
    calls = []
    for entry in simulator.requests:
        assert 'body' in entry, 'the simulator logs no bodies: configure(log_bodies=True) after a reset'
        pairs = parse_qsl(entry['query'], keep_blank_values=True)
        assert len(dict(pairs)) == len(pairs), 'a query parameter sent twice: %s' % entry['query']
        calls.append(Call(entry['method'], entry['path'], dict(pairs) or None, entry['body']))
    return calls


def assert_calls(simulator, expected):
    """The simulator received exactly these calls, in this order."""
    assert received_calls(simulator) == list(expected)


@pytest.fixture
def credentials():
    """The default seed's credentials by vendor (simulator/seed.py: CREDENTIALS)."""
    return CREDENTIALS


# Connection options of a module run against the simulator's default seed, one kind of credentials each.

@pytest.fixture
def wfbss_connection(simulator):
    """The default WFBS-SVC account, with quick retries."""
    return dict(api_url=simulator.url, retries=1, retry_backoff=0.01, **CREDENTIALS.wfbss)


@pytest.fixture
def koophone_connection(simulator):
    """KooPhone with the static token."""
    return dict(api_url=simulator.url, auth_token=CREDENTIALS.koophone_token)


@pytest.fixture
def koophone_iam_connection(simulator):
    """KooPhone with the IAM user (its project is the module's default)."""
    user = CREDENTIALS.koophone_user
    return dict(api_url=simulator.url, iam_url=simulator.url, username=user['username'], password=user['password'],
                domain_name=user['domain_name'])


@pytest.fixture
def koophone_aksk_connection(simulator):
    """KooPhone with the AK/SK pair: every request signed, no token."""
    return dict(api_url=simulator.url, **CREDENTIALS.koophone_access_key)


@pytest.fixture
def iot_connection(simulator):
    """The legacy IoT Security tenant (customer ID and key)."""
    return dict(api_url=simulator.url, **CREDENTIALS.iot)


@pytest.fixture
def iot_scm_connection(simulator):
    """The Strata Cloud Manager tenant, its token endpoint on the simulator too."""
    return dict(api_url=simulator.url, auth_url=simulator.url + '/oauth2/access_token', **CREDENTIALS.iot_scm)


@pytest.fixture
def altcraft_connection(simulator):
    """Altcraft with the default API token."""
    return dict(api_url=simulator.url, api_token=CREDENTIALS.altcraft_token)


@pytest.fixture
def run_module(monkeypatch):
    """run_module(module, args, check_mode=False, diff=False) -> (result dict, failed bool).

    The result (with the module's ``warnings``) is round-tripped through JSON, as Ansible would see it.
    Connection options are the caller's to give (``api_url=simulator.url`` and the credentials).
    """
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', _exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', _fail_json)
    # the test host's syslog is not under test (and some refuse a NUL byte before the module can name the parameter)
    monkeypatch.setattr(basic.AnsibleModule, 'log', lambda self, msg, log_args=None: None)
    # a test that imported controller code (filters, inventory plugins) leaves ansible in controller mode, where a
    # module's warnings go to the display instead of its result; a module runs as a module
    monkeypatch.setattr(module_internal, 'is_controller', False)

    def run(module, args, check_mode=False, diff=False):
        args = dict(args)
        args['_ansible_check_mode'] = check_mode
        args['_ansible_diff'] = diff
        # warnings are process-global: start each run with none
        getattr(module_warnings, '_global_warnings').clear()
        with patch_module_args(args):
            with pytest.raises(ModuleExit) as caught:
                module.main()
        result = json.loads(json.dumps(caught.value.result, default=str))
        return result, caught.value.failed

    return run
