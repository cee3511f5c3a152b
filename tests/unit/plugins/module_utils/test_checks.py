# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The shared input checks: each returns the value to use or raises InvalidInput naming the option and the cause."""

from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils import checks
from ansible_collections.fleetops.maintenance.plugins.module_utils.batching import BatchFailure, run_batches
from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput


def refused(check, *args):
    with pytest.raises(InvalidInput) as caught:
        check(*args)
    return str(caught.value)


@pytest.mark.parametrize('value', [float('inf'), float('-inf'), float('nan')])
def test_finite_refuses_inf_and_nan(value):
    assert refused(checks.finite, 'timeout', value) == 'timeout must be a finite number, got %s' % value


@pytest.mark.parametrize('value', [None, 0, -1, 1.5])
def test_finite_returns_finite_values_and_none(value):
    assert checks.finite('timeout', value) is value


@pytest.mark.parametrize('check, good, bad, message', [
    (checks.positive, [0.001, 1, 30], [0, -0.5], 'timeout must be greater than 0, got %s'),
    (checks.not_negative, [0, 0.0, 2], [-1, -0.001], 'timeout must be 0 or more, got %s'),
])
def test_bounds(check, good, bad, message):
    for value in good + [None]:
        assert check('timeout', value) is value
    for value in bad:
        assert refused(check, 'timeout', value) == message % value
    assert 'finite' in refused(check, 'timeout', float('inf'))


def test_at_least():
    assert checks.at_least('concurrency', 1, 1) == 1
    assert checks.at_least('concurrency', 8, 1) == 8
    assert checks.at_least('concurrency', None, 1) is None
    assert refused(checks.at_least, 'concurrency', 0, 1) == 'concurrency must be at least 1, got 0'
    assert 'finite' in refused(checks.at_least, 'concurrency', float('nan'), 1)


@pytest.mark.parametrize('url', ['https://api.example', 'http://127.0.0.1:8080/base/', 'HTTPS://x.example/p'])
def test_http_url_accepts(url):
    assert checks.http_url('api_url', url.lower() if url.startswith('HTTPS') else url) == (
        url.lower() if url.startswith('HTTPS') else url)


@pytest.mark.parametrize('url, message', [
    (None, 'api_url is required (or set X_URL)'),
    ('', 'api_url is required (or set X_URL)'),
    ('https://user:pw@api.example', 'api_url must not contain credentials (user:password@)'),
    ('ftp://api.example', "api_url must be an http:// or https:// URL, got 'ftp://api.example'"),
    ('https://', "api_url must be an http:// or https:// URL, got 'https://'"),
    ('api.example', "api_url must be an http:// or https:// URL, got 'api.example'"),
    ('https://api.example/?a=1', 'api_url must not contain a query or a fragment'),
    ('https://api.example/#top', 'api_url must not contain a query or a fragment'),
])
def test_http_url_refuses(url, message):
    assert refused(checks.http_url, 'api_url', url, 'X_URL') == message


def test_http_url_without_environment_variable():
    assert refused(checks.http_url, 'feedback_url', '') == 'feedback_url is required'


@pytest.mark.parametrize('value', [None, '', 'abc', ' ~!"#$%&\'()*+,-./09:;<=>?@AZ[\\]^_`az{|}', 'a b'])
def test_header_text_accepts_printable_ascii(value):
    assert checks.header_text('access_token', value) == value


@pytest.mark.parametrize('value, shown', [
    ('S3cr\u2018et', 'U+2018 (LEFT SINGLE QUOTATION MARK)'),
    ('S3cret\n', 'U+000A (a control character)'),
    ('\x1fS3cret', 'U+001F (a control character)'),
    ('S3cret\x7f', 'U+007F (a control character)'),
    ('S3cr\u00e9t', 'U+00E9 (LATIN SMALL LETTER E WITH ACUTE)'),
])
def test_header_text_names_the_character_never_the_value(value, shown):
    message = refused(checks.header_text, 'access_token', value)
    assert message == ('access_token must hold only printable ASCII characters (it is sent in an HTTP header), but it '
                       'holds %s; typographic quotes or a line break pasted with the value are the usual cause (the '
                       'value is not shown)' % shown)
    assert 'S3cr' not in message


def params(**changes):
    values = dict(timeout=30, retries=3, retry_backoff=1.0, rate_limit_timeout=300)
    values.update(changes)
    return values


def test_connection_accepts_the_defaults_and_zeros():
    checks.connection(params())
    checks.connection(params(retries=0, retry_backoff=0, rate_limit_timeout=0))


@pytest.mark.parametrize('name, value, message', [
    ('timeout', 0, 'timeout must be greater than 0, got 0'),
    ('retries', -1, 'retries must be 0 or more, got -1'),
    ('retry_backoff', -0.5, 'retry_backoff must be 0 or more, got -0.5'),
    ('rate_limit_timeout', float('inf'), 'rate_limit_timeout must be a finite number, got inf'),
])
def test_connection_names_the_option(name, value, message):
    assert refused(checks.connection, params(**{name: value})) == message


def test_unique_keeps_the_first_occurrence_in_order():
    assert checks.unique(['b', 'a', 'b', 'c', 'a']) == ['b', 'a', 'c']
    assert checks.unique([]) == []


def test_a_refusal_inside_a_batch_is_reported_as_an_input_error():
    """The batch runner stops on an InvalidInput (a FleetError) like on any failure; the module result's error dict
    says it was the input, and that nothing of it may have been applied."""
    def send(batch):
        raise InvalidInput('devices[1].mac must be a MAC address, got zz')
    with pytest.raises(BatchFailure) as caught:
        run_batches([1, 2], 1, send)
    assert caught.value.to_dict() == dict(method=None, path=None, status=None, vendor_code=None, vendor_message=None,
                                          request_id=None, outcome_unknown=False, kind='input')
    assert caught.value.unprocessed_items == [1, 2]
