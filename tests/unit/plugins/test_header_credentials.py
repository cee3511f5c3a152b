# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Credentials sent in an HTTP header hold only printable ASCII: a token pasted with typographic quotes
(U+2018 and U+2019 around a token) or a line break is refused before anything is sent, naming the option and the cause, never
showing the value. HTTP sends header values as Latin-1 at best, so such a value used to end in a
UnicodeEncodeError traceback from http.client (or a requests error quoting the header)."""

from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.plugins.modules import (
    iot_device_bulk,
    koophone_instance_info,
    koophone_instance_reset,
    wfbss_report,
    wfbss_report_info,
    wfbss_reset,
)
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS, koophone_instance_ids, wfbss_customer_id

PASTED = 'S3cr\u2018et\u2019'  # a secret pasted with typographic quotes: not Latin-1
BAD_VALUES = [PASTED, 'S3cr\u20acet', 'S3cret\n', 'S3c\tret', 'S3cr\u00e9t']
WFBSS_ARGS = dict(customer_ids=[wfbss_customer_id(1)])
KOOPHONE_ARGS = dict(instance_ids=koophone_instance_ids(1))
DEVICE = dict(ip_address='10.0.0.1', imsi='001010123456789')


def refused(simulator, run_module, module, args, option, secret):
    simulator.clear_log()
    result, failed = run_module(module, args)
    assert failed, result
    assert 'exception' not in result and 'Traceback' not in result['msg'], result
    assert option in result['msg'] and 'printable ASCII' in result['msg'], result['msg']
    assert secret not in result['msg'] and secret.strip() not in result['msg']
    assert simulator.requests == [], 'a request was sent with a credential that cannot be sent'
    return result['msg']


@pytest.mark.parametrize('secret', BAD_VALUES)
@pytest.mark.parametrize('module, extra', [(wfbss_reset, dict(WFBSS_ARGS, type='counter')),
                                           (wfbss_report_info, WFBSS_ARGS),
                                           (wfbss_report, dict(WFBSS_ARGS, name='weekly', schedule='weekly',
                                                               weekday='monday', time='08:00', contents=['virus_summary']))],
                         ids=['wfbss_reset', 'wfbss_report_info', 'wfbss_report'])
def test_wfbss_access_token(simulator, run_module, module, extra, secret):
    args = dict(api_url=simulator.url, secret_key=CREDENTIALS.wfbss['secret_key'], access_token=secret, **extra)
    refused(simulator, run_module, module, args, 'access_token', secret)


def test_the_message_names_the_character_and_the_likely_cause(simulator, run_module):
    args = dict(api_url=simulator.url, secret_key=CREDENTIALS.wfbss['secret_key'], access_token=PASTED,
                type='counter', **WFBSS_ARGS)
    message = refused(simulator, run_module, wfbss_reset, args, 'access_token', PASTED)
    assert 'U+2018 (LEFT SINGLE QUOTATION MARK)' in message and 'typographic quotes' in message


@pytest.mark.parametrize('secret', BAD_VALUES)
@pytest.mark.parametrize('module, extra', [(koophone_instance_reset, KOOPHONE_ARGS),
                                           (koophone_instance_info, KOOPHONE_ARGS)],
                         ids=['koophone_instance_reset', 'koophone_instance_info'])
@pytest.mark.parametrize('option', ['auth_token', 'access_key'])
def test_koophone_header_credentials(simulator, run_module, module, extra, option, secret):
    if option == 'auth_token':
        credentials = dict(auth_token=secret)
    else:
        credentials = dict(CREDENTIALS.koophone_access_key, access_key=secret)
    refused(simulator, run_module, module, dict(api_url=simulator.url, **dict(credentials, **extra)), option, secret)


def test_koophone_project_id_is_a_header_too(simulator, run_module):
    credentials = dict(CREDENTIALS.koophone_access_key, project_id='proj\u2019')
    refused(simulator, run_module, koophone_instance_info, dict(api_url=simulator.url, **dict(credentials, **KOOPHONE_ARGS)),
            'project_id', 'proj\u2019')


@pytest.mark.parametrize('secret', BAD_VALUES)
@pytest.mark.parametrize('option', ['key_id', 'access_key'])
def test_iot_legacy_key(simulator, run_module, option, secret):
    args = dict(CREDENTIALS.iot, api_url=simulator.url, devices=[DEVICE])
    args[option] = secret
    refused(simulator, run_module, iot_device_bulk, args, option, secret)


def test_a_secret_that_is_not_sent_in_a_header_may_hold_any_character(simulator, run_module):
    """The KooPhone secret key only keys the HMAC (as UTF-8): it is not refused here; the vendor judges the
    signature (here: a wrong key, so the API refuses it, with no traceback)."""
    credentials = dict(CREDENTIALS.koophone_access_key, secret_key=PASTED)
    args = dict(api_url=simulator.url, retries=0, **dict(credentials, **KOOPHONE_ARGS))
    result, failed = run_module(koophone_instance_info, args)
    assert failed and 'printable ASCII' not in result['msg'] and 'Traceback' not in result['msg']
    assert len(simulator.requests) == 1
