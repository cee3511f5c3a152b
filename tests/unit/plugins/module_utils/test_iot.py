# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The IoT Security adapter: device validation, device files, error parsing, the client's calls."""

from __future__ import annotations

import json
import time

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiClient, ApiError
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot import (
    IotClient,
    TokenError,
    _lifetime,
    api_base_url,
    api_url,
    auth_url,
    parse_error,
)
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot_devices import (
    API_NAMES,
    InvalidDevices,
    device_to_api,
    devices_to_api,
    load_devices_file,
)
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot_options import (
    IOT_ARGUMENT_SPEC,
    api_generation,
    check_api_url,
)
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS

TENANT = CREDENTIALS.iot['customer_id']

CONNECTION = dict(validate_certs=True, ca_path=None, timeout=5, retries=3, retry_backoff=1.0, rate_limit_timeout=300)


def client_with(params, clock=None, **connection):
    """An IotClient for these credentials, with the connection options of a module run."""
    options = dict(CONNECTION, **connection)
    options.update(params)
    return IotClient(options, clock=clock) if clock is not None else IotClient(options)


def api_url_problem(url, generation):
    try:
        check_api_url(url, generation)
    except InvalidInput as exc:
        return str(exc)
    return None


FULL_DEVICE = dict(ip_address='10.20.0.1', ipv6_address='FD00:20:0:0::1', imei='356938035643809',
                   iccid='8944500102198304826', imsi='310150123456789', apn='iot.example.com',
                   msisdn='+15551234567', session_event_type='start',
                   session_start="ISODate('2022-01-05T14:48:00.000Z')", session_end='2022-01-10T14:48:00Z')


def test_device_maps_every_field_to_the_api_names_and_sends_values_as_given():
    assert device_to_api(FULL_DEVICE, 'devices item 1') == {
        'ipAddress': '10.20.0.1', 'ipv6Address': 'FD00:20:0:0::1', 'imei': '356938035643809',
        'iccid': '8944500102198304826', 'imsi': '310150123456789', 'apn': 'iot.example.com',
        'msisdn': '+15551234567', 'SessionEvtType': 'start',
        'sessionStart': "ISODate('2022-01-05T14:48:00.000Z')", 'sessionEnd': '2022-01-10T14:48:00Z',
    }


# The vendor's own example device (PaloAltoNetworks/pan.dev:openapi-specs/iot/components/examples.yaml,
# CellularDeviceBulkUpdatePayloadExample), under the module's names.
VENDOR_EXAMPLE = dict(ip_address='10.6.72.216', ipv6_address='FE80:CD00:0000:0CDE:1257:0000:211E:729C',
                      imei='000000000000000', iccid='891004234814455936F', imsi='313460000000001',
                      apn='006-007-001-000', msisdn='919825098250',
                      session_start="ISODate('2022-01-05T14:48:00.000Z')",
                      session_end="ISODate('2022-01-10T14:48:00.000Z')")


def test_the_vendors_example_device_is_valid_and_sent_unchanged():
    assert device_to_api(VENDOR_EXAMPLE, 'x') == {
        'ipAddress': '10.6.72.216', 'ipv6Address': 'FE80:CD00:0000:0CDE:1257:0000:211E:729C',
        'imei': '000000000000000', 'iccid': '891004234814455936F', 'imsi': '313460000000001',
        'apn': '006-007-001-000', 'msisdn': '919825098250',
        'sessionStart': "ISODate('2022-01-05T14:48:00.000Z')", 'sessionEnd': "ISODate('2022-01-10T14:48:00.000Z')",
    }


@pytest.mark.parametrize('name, given', [
    ('ip_address', ' 10.6.72.216\t'),
    ('ipv6_address', 'FE80:CD00:0000:0CDE:1257:0000:211E:729C'),
    ('ipv6_address', 'fe80:cd00:0:cde:1257:0:211e:729c'),
    ('ipv6_address', '::FFFF:10.6.72.216'),
])
def test_addresses_are_not_rewritten(name, given):
    api_name = 'ipAddress' if name == 'ip_address' else 'ipv6Address'
    assert device_to_api({name: given}, 'x') == {api_name: given.strip()}


def test_blank_fields_are_left_out_and_ints_become_strings():
    assert device_to_api({'ip_address': ' 10.0.0.1 ', 'imei': 356938035643809, 'apn': '', 'imsi': None}, 'x') == {
        'ipAddress': '10.0.0.1', 'imei': '356938035643809'}


@pytest.mark.parametrize('device, expected', [
    ({'imei': '356938035643809'}, 'devices item 3: needs ip_address or ipv6_address'),
    ({'ip_address': '', 'ipv6_address': ' '}, 'devices item 3: needs ip_address or ipv6_address'),
    ({'ip_address': '10.0.0.256'}, "devices item 3: ip_address '10.0.0.256' is not a valid IPv4 address"),
    ({'ip_address': 'fd00::1'}, "devices item 3: ip_address 'fd00::1' is not a valid IPv4 address"),
    ({'ipv6_address': '10.0.0.1'}, "devices item 3: ipv6_address '10.0.0.1' is not a valid IPv6 address"),
    ({'ip_address': '10.0.0.1', 'imei': '35693803564380'}, "devices item 3: imei '35693803564380' must be exactly 15 digits"),
    ({'ip_address': '10.0.0.1', 'imei': '3569380356438090'}, 'imei'),
    ({'ipv6_address': 'fe80::1%eth0'}, "devices item 3: ipv6_address 'fe80::1%eth0' is not a valid IPv6 address"),
    ({'ip_address': '10.0.0.1', 'iccid': '89445001021983048F'},
     "iccid '89445001021983048F' must be 18 to 22 digits, optionally followed by one F"),
    ({'ip_address': '10.0.0.1', 'iccid': '89100423481445593FF'}, 'iccid'),
    ({'ip_address': '10.0.0.1', 'iccid': '8910042348F14455936'}, 'iccid'),
    ({'ip_address': '10.0.0.1', 'iccid': '89445001021983048'}, 'must be 18 to 22 digits'),
    ({'ip_address': '10.0.0.1', 'iccid': '8' * 23}, 'must be 18 to 22 digits'),
    ({'ip_address': '10.0.0.1', 'imsi': '31015'}, "imsi '31015' must be 6 to 15 digits"),
    ({'ip_address': '10.0.0.1', 'imsi': '3' * 16}, "must be 6 to 15 digits"),
    ({'ip_address': '10.0.0.1', 'msisdn': '+1-555-1234'}, "msisdn '+1-555-1234' must be up to 15 digits"),
    ({'ip_address': '10.0.0.1', 'imei': True}, 'devices item 3: imei must be a string, got bool'),
    ({'ip_address': '10.0.0.1', 'apn': ['a']}, 'devices item 3: apn must be a string, got list'),
    ({'ip_address': '10.0.0.1', 'IMEI': '356938035643809', 'mac': 'x'}, 'devices item 3: unknown fields IMEI, mac'),
    ('10.0.0.1', 'devices item 3: must be a dict of device fields, got str'),
])
def test_invalid_devices_are_refused_naming_position_and_field(device, expected):
    with pytest.raises(ValueError) as caught:
        device_to_api(device, 'devices item 3')
    assert expected in str(caught.value)


def test_digit_fields_accept_the_documented_lengths():
    for field, value in (('iccid', '8' * 18), ('iccid', '8' * 22), ('iccid', '8' * 18 + 'F'), ('iccid', '8' * 22 + 'f'),
                         ('imsi', '3' * 6), ('imsi', '3' * 14), ('imsi', '3' * 15), ('msisdn', '1'), ('msisdn', '4' * 15)):
        assert device_to_api({'ipv6_address': '::1', field: value}, 'x')[field] == value


@pytest.mark.parametrize('field', ['apn', 'session_event_type', 'session_start', 'session_end'])
def test_free_text_fields_are_sent_as_given(field):
    assert device_to_api({'ip_address': '10.0.0.1', field: ' any text, 2022-01-05 '}, 'x')[API_NAMES[field]] == \
        'any text, 2022-01-05'


def test_luhn_is_not_checked():
    # 356938035643808 fails the Luhn check; the vendor does not require it.
    assert device_to_api({'ip_address': '10.0.0.1', 'imei': '356938035643808'}, 'x')['imei'] == '356938035643808'


def test_devices_to_api_lists_every_invalid_device():
    with pytest.raises(InvalidDevices) as caught:
        devices_to_api([{'ip_address': '10.0.0.1'}, {'apn': 'x'}, {'ip_address': 'bad'}])
    assert caught.value.errors == [
        'devices item 2: needs ip_address or ipv6_address (the API matches devices by address)',
        "devices item 3: ip_address 'bad' is not a valid IPv4 address",
    ]
    assert str(caught.value).startswith('2 invalid devices, nothing was sent: devices item 2:')


def test_many_invalid_devices_are_counted_not_all_listed():
    with pytest.raises(InvalidDevices) as caught:
        devices_to_api([{}] * 25)
    assert str(caught.value).endswith('; and 15 more')
    assert str(caught.value).count('needs ip_address') == 10


def test_csv_file(tmp_path):
    path = tmp_path / 'fleet.csv'
    # A byte order mark, a padded header name, a blank row and a row of empty cells.
    path.write_text('\ufeffip_address,imei, apn\n10.20.0.1,356938035643809,iot.example\n\n,,\n10.20.0.2,,\n', encoding='utf-8')
    assert load_devices_file(str(path)) == [
        {'ipAddress': '10.20.0.1', 'imei': '356938035643809', 'apn': 'iot.example'},
        {'ipAddress': '10.20.0.2'},
    ]


def test_csv_errors_name_the_line_and_device(tmp_path):
    path = tmp_path / 'fleet.csv'
    path.write_text('ip_address,imsi\n10.20.0.1,310150123456789\n\n10.20.0.2,12\n10.20.0.3\n')
    with pytest.raises(InvalidDevices) as caught:
        load_devices_file(str(path))
    assert caught.value.errors == [
        "devices_file %s line 4 (device 2): imsi '12' must be 6 to 15 digits" % path,
        'devices_file %s line 5 (device 3): has 1 columns where the header has 2' % path,
    ]


@pytest.mark.parametrize('header', ['ip_address,mac\n', 'ip_address,ip_address\n'])
def test_csv_header_must_name_distinct_known_fields(tmp_path, header):
    path = tmp_path / 'fleet.csv'
    path.write_text(header + '10.0.0.1,x\n')
    with pytest.raises(ValueError) as caught:
        load_devices_file(str(path))
    assert 'line 1: the header must name distinct device fields' in str(caught.value)


def test_json_file_and_sniffing(tmp_path):
    path = tmp_path / 'fleet.txt'
    path.write_text(json.dumps([{'ipv6_address': 'fd00:20::4', 'imsi': '310150123456790'}]))
    assert load_devices_file(str(path)) == [{'ipv6Address': 'fd00:20::4', 'imsi': '310150123456790'}]


@pytest.mark.parametrize('text, expected', [
    ('{"devicelist": []}', 'must hold a JSON list of device objects, got dict'),
    ('[{"ip_address": "10.0.0.1"},', 'is not valid JSON'),
    ('[{"ip_address": "10.0.0.1"}, {"apn": "x"}]', 'item 2: needs ip_address or ipv6_address'),
])
def test_json_file_errors(tmp_path, text, expected):
    path = tmp_path / 'fleet.json'
    path.write_text(text)
    with pytest.raises(ValueError) as caught:
        load_devices_file(str(path))
    assert expected in str(caught.value)


def test_missing_file(tmp_path):
    with pytest.raises(ValueError) as caught:
        load_devices_file(str(tmp_path / 'absent.csv'))
    assert 'cannot be read' in str(caught.value)


@pytest.mark.parametrize('status, data, expected', [
    (200, {'api': 'device/bulkUpdate', 'code': 1, 'message': 'OK', 'updatedDeviceNum': 5}, None),
    (200, {'code': '1', 'message': 'OK'}, None),
    (200, {'code': 0, 'msg': 'no'}, (0, 'no', None)),
    (200, {'message': 'OK'}, (None, 'OK', None)),
    (200, [], (None, 'the answer is not a JSON object', 'malformed')),
    (403, {'code': 403, 'msg': 'Forbidden access.'}, (403, 'Forbidden access.', None)),
    (401, {'_errors': [{'code': 'E016', 'message': 'Key Expired', 'details': {}}], '_request_id': 'r'},
     ('E016', 'Key Expired', None)),
    (500, None, (None, None, None)),
])
def test_parse_error(status, data, expected):
    assert parse_error(status, data) == expected


def test_base_url():
    assert api_base_url('https://t.iot.paloaltonetworks.com/') == 'https://t.iot.paloaltonetworks.com/pub/v4.0'
    assert api_base_url('https://t.iot.paloaltonetworks.com/pub/v4.0') == 'https://t.iot.paloaltonetworks.com/pub/v4.0'


def test_secrets_are_no_log_and_have_env_fallbacks():
    assert IOT_ARGUMENT_SPEC['key_id']['no_log'] and IOT_ARGUMENT_SPEC['access_key']['no_log']
    assert IOT_ARGUMENT_SPEC['client_secret']['no_log']
    assert IOT_ARGUMENT_SPEC['access_key']['fallback'][1] == ['PANW_IOT_ACCESS_KEY']
    assert IOT_ARGUMENT_SPEC['requests_per_minute']['default'] == 180


def _client(simulator, **overrides):
    params = dict(CREDENTIALS.iot, api_url=simulator.url, requests_per_minute=180)
    params.update(overrides)
    return client_with(params)


def test_bulk_update_call(simulator):
    client = _client(simulator)
    updated = client.bulk_update([{'ipAddress': '10.20.0.1', 'imei': '356938035643809'}, {'ipAddress': '10.99.0.1'}], 'cellular')
    assert updated == 1
    (entry,) = simulator.requests
    assert (entry['method'], entry['path'], entry['query']) == (
        'PUT', '/pub/v4.0/device/bulkUpdate', 'customerid=%s&updateSource=cellular' % TENANT)
    device = simulator.state('iot')['tenants'][TENANT]['devices'][0]
    assert device['attributes'] == {'imei': '356938035643809'}
    assert client.client.rate_limiter.rate == 3.0


def test_bad_key_is_an_auth_error_with_a_hint(simulator):
    with pytest.raises(ApiError) as caught:
        _client(simulator, access_key='wrong-secret').bulk_update([{'ipAddress': '10.20.0.1'}], 'cellular')
    assert caught.value.status == 403 and caught.value.kind == 'auth'
    assert 'Check key_id and access_key' in str(caught.value)
    assert 'wrong-secret' not in str(caught.value)


def test_error_inside_a_200(simulator):
    simulator.inject(vendor='iot', action='vendor_error', error_code=2, error_text='tenant busy')
    with pytest.raises(ApiError) as caught:
        _client(simulator).bulk_update([{'ipAddress': '10.20.0.1'}], 'cellular')
    assert (caught.value.status, caught.value.vendor_code, caught.value.vendor_message) == (200, 2, 'tenant busy')


def test_missing_updated_count_is_none(simulator, monkeypatch):
    client = _client(simulator)
    monkeypatch.setattr(client.client, 'request', lambda *a, **k: type('R', (), {'data': {'code': 1}})())
    assert client.bulk_update([{'ipAddress': '10.20.0.1'}], 'cellular') is None


# ---------------------------------------------------------------------------------------------------
# Strata Cloud Manager: credentials, token, Bearer calls

SCM = dict(CREDENTIALS.iot_scm)
LEGACY = dict(api_url='https://t.iot.paloaltonetworks.com', customer_id='t', key_id='k', access_key='a')


def scm_params(simulator, **overrides):
    params = dict(SCM, api_url=simulator.url, auth_url=simulator.url + '/oauth2/access_token', customer_id=None,
                  key_id=None, access_key=None, requests_per_minute=6000)
    params.update(overrides)
    return params


class FakeClock(object):
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def scm_client(simulator, clock=None, **overrides):
    return client_with(scm_params(simulator, **overrides), clock=clock)


def log(simulator):
    return [(entry['kind'], entry['method'], entry['path'], entry['query'], entry['status']) for entry in simulator.requests]


TOKEN = ('auth', 'POST', '/oauth2/access_token', '', 200)
SCM_PUT = ('write', 'PUT', '/iot/pub/v1/device/bulkUpdate', 'updateSource=cellular', 200)
SCM_PUT_401 = SCM_PUT[:4] + (401,)


@pytest.mark.parametrize('params, expected', [
    (SCM, 'scm'),
    (dict(SCM, customer_id='', key_id=None, api_url='https://api.example'), 'scm'),
    (LEGACY, 'legacy'),
    (dict(LEGACY, client_id=' ', tsg_id=''), 'legacy'),
])
def test_api_generation(params, expected):
    assert api_generation(params) == expected


@pytest.mark.parametrize('params, message', [
    (dict(SCM, key_id='k'), 'Give either Strata Cloud Manager credentials (client_id, client_secret, tsg_id) or a legacy '
                            'API key (customer_id, key_id, access_key), not both: got client_id, client_secret, tsg_id and key_id'),
    (dict(client_id='c', tsg_id='1'), 'Strata Cloud Manager credentials need client_id, client_secret and tsg_id; missing: client_secret'),
    (dict(SCM, tsg_id=SCM['tsg_id'] + ' email'),
     "tsg_id must be the numeric ID of the tenant service group, got '%s email'" % SCM['tsg_id']),
    (dict(LEGACY, api_url=None), 'The legacy API key needs api_url (the tenant URL), customer_id, key_id and access_key; missing: api_url'),
    (dict(customer_id='t'), 'missing: api_url, key_id, access_key'),
    ({}, 'No IoT Security credentials: give client_id, client_secret and tsg_id (Strata Cloud Manager, or PANW_IOT_CLIENT_ID'),
])
def test_credentials_that_do_not_make_one_set_are_refused(params, message):
    with pytest.raises(ValueError) as caught:
        api_generation(params)
    assert message in str(caught.value)
    assert SCM['client_secret'] not in str(caught.value)


def test_urls_of_each_generation():
    assert api_url(SCM, 'scm') == 'https://api.strata.paloaltonetworks.com'
    assert api_url(dict(SCM, api_url=' '), 'scm') == 'https://api.strata.paloaltonetworks.com'
    assert api_url(LEGACY, 'legacy') == LEGACY['api_url'] and api_url({}, 'legacy') is None
    assert api_base_url('https://api.strata.paloaltonetworks.com', 'scm') == 'https://api.strata.paloaltonetworks.com/iot/pub/v1'
    assert api_base_url('https://x.example/iot/pub/v1/', 'scm') == 'https://x.example/iot/pub/v1'
    assert auth_url(dict(auth_url='')) == 'https://auth.apps.paloaltonetworks.com/oauth2/access_token'
    assert api_url_problem('https://proxy.example/pub/v4.0', 'scm') == (
        'api_url https://proxy.example/pub/v4.0 is an address of the legacy API, but the credentials are for the '
        'Strata Cloud Manager API')
    assert 'of the legacy API' in api_url_problem('https://acme.IOT.paloaltonetworks.com', 'scm')
    assert 'of the Strata Cloud Manager API' in api_url_problem('https://x/iot/pub/v1', 'legacy')
    assert 'of the Strata Cloud Manager API' in api_url_problem('https://api.strata.paloaltonetworks.com/', 'legacy')
    assert api_url_problem('https://api.strata.paloaltonetworks.com', 'scm') is None
    assert api_url_problem('https://acme.iot.paloaltonetworks.com', 'legacy') is None
    assert api_url_problem('http://127.0.0.1:8787', 'scm') is None


def test_scm_options_and_their_environment_variables():
    assert IOT_ARGUMENT_SPEC['client_secret']['no_log'] is True
    for name, variable in (('client_id', 'PANW_IOT_CLIENT_ID'), ('client_secret', 'PANW_IOT_CLIENT_SECRET'),
                           ('tsg_id', 'PANW_IOT_TSG_ID'), ('auth_url', 'PANW_IOT_AUTH_URL'), ('api_url', 'PANW_IOT_API_URL')):
        assert IOT_ARGUMENT_SPEC[name]['fallback'][1] == [variable]
    assert IOT_ARGUMENT_SPEC['auth_url']['default'] == 'https://auth.apps.paloaltonetworks.com/oauth2/access_token'
    assert not any(spec.get('required') for spec in IOT_ARGUMENT_SPEC.values())


def test_one_token_for_many_calls_and_no_customerid(simulator):
    client = scm_client(simulator)
    assert [client.bulk_update([{'ipAddress': '10.20.0.%d' % n}], 'cellular') for n in (1, 2, 3)] == [1, 1, 1]
    assert log(simulator) == [TOKEN, SCM_PUT, SCM_PUT, SCM_PUT]
    assert client.login.fetched == 1


def test_the_token_request_is_the_documented_one(simulator):
    scm_client(simulator).bulk_update([{'ipAddress': '10.20.0.1'}], 'cellular')
    (record,) = simulator.state('iot')['token_requests']
    assert record == dict(path='/oauth2/access_token', method='POST', content_type='application/x-www-form-urlencoded',
                          client_auth='basic', client_id=SCM['client_id'], status=200,
                          form={'grant_type': 'client_credentials', 'scope': 'tsg_id:' + SCM['tsg_id']},
                          raw_form='grant_type=client_credentials&scope=tsg_id:' + SCM['tsg_id'])


def test_auth_url_path_is_the_option(simulator):
    scm_client(simulator, auth_url=simulator.url + '/auth/v1/oauth2/access_token').bulk_update([{'ipAddress': '10.20.0.1'}], 'cellular')
    assert log(simulator)[0] == ('auth', 'POST', '/auth/v1/oauth2/access_token', '', 200)


def test_the_token_is_renewed_before_it_expires(simulator):
    """899 s tokens are renewed 60 s early: a call at 838 s uses the first token, one at 840 s gets a new one."""
    clock = FakeClock()
    client = scm_client(simulator, clock=clock)
    client.bulk_update([{'ipAddress': '10.20.0.1'}], 'cellular')
    clock.now += 838
    client.bulk_update([{'ipAddress': '10.20.0.2'}], 'cellular')
    clock.now += 2
    client.bulk_update([{'ipAddress': '10.20.0.3'}], 'cellular')
    assert log(simulator) == [TOKEN, SCM_PUT, SCM_PUT, TOKEN, SCM_PUT]


def test_a_short_token_is_renewed_a_tenth_of_its_lifetime_early(simulator):
    simulator.configure(iot_token_ttl_seconds=10)
    clock = FakeClock()
    client = scm_client(simulator, clock=clock)
    client.bulk_update([], 'cellular')
    clock.now += 8.9
    client.bulk_update([], 'cellular')
    clock.now += 0.2
    client.bulk_update([], 'cellular')
    assert [entry[0] for entry in log(simulator)] == ['auth', 'write', 'write', 'auth', 'write']


@pytest.mark.parametrize('status', [401, 403])
def test_a_refused_token_is_renewed_and_only_that_call_repeated_once(simulator, status):
    """The server lets the token expire long before the expires_in it announced (clock drift, revocation)."""
    simulator.configure(iot_token_ttl_seconds=0.2, iot_token_expires_in=899, iot_scm_auth_status=status)
    client = scm_client(simulator)
    assert client.bulk_update([{'ipAddress': '10.20.0.1'}], 'cellular') == 1
    time.sleep(0.3)
    assert client.bulk_update([{'ipAddress': '10.20.0.2'}], 'cellular') == 1
    assert log(simulator) == [TOKEN, SCM_PUT, SCM_PUT[:4] + (status,), TOKEN, SCM_PUT]
    devices = simulator.state('iot')['tenants'][SCM['tsg_id']]['devices']
    assert [device['updates'] for device in devices[:3]] == [1, 1, 0]


def test_a_second_refusal_fails_with_the_credential_hint(simulator):
    simulator.configure(iot_token_ttl_seconds=0)
    with pytest.raises(ApiError) as caught:
        scm_client(simulator).bulk_update([{'ipAddress': '10.20.0.1'}], 'cellular')
    assert log(simulator) == [TOKEN, SCM_PUT_401, TOKEN, SCM_PUT_401]
    assert caught.value.status == 401 and caught.value.kind == 'auth' and caught.value.vendor_code == 'E016'
    assert 'Check client_id, client_secret and tsg_id, and that the service account has a role' in str(caught.value)


@pytest.mark.parametrize('overrides, vendor_code', [
    (dict(client_secret='CANARY-wrong-secret'), 'invalid_client'),
    (dict(client_id='nobody@1.iam.panserviceaccount.com'), 'invalid_client'),
    (dict(tsg_id='1570000002'), 'invalid_scope'),
])
def test_a_refused_client_is_an_authentication_failure(simulator, overrides, vendor_code):
    with pytest.raises(TokenError) as caught:
        scm_client(simulator, **overrides).bulk_update([{'ipAddress': '10.20.0.1'}], 'cellular')
    error = caught.value
    assert error.kind == 'auth' and error.vendor_code == vendor_code and not error.outcome_unknown
    assert str(error).startswith('POST /oauth2/access_token: Strata Cloud Manager authentication failed (HTTP ')
    assert str(error).endswith('): check client_id / client_secret / tsg_id')
    assert 'CANARY' not in str(error) and 'CANARY' not in json.dumps(error.to_dict())
    assert [entry[0] for entry in log(simulator)] == ['auth']  # nothing reached the IoT API


def test_the_token_request_is_retried_like_a_read(simulator):
    simulator.inject(vendor='iot', path_contains='access_token', action='status', status=500, count=1)
    client = client_with(scm_params(simulator), retries=2, retry_backoff=0.01)
    assert client.bulk_update([{'ipAddress': '10.20.0.1'}], 'cellular') == 1
    assert [entry[4] for entry in log(simulator)] == [500, 200, 200]


def test_an_unreachable_token_endpoint_is_a_connection_failure(simulator):
    client = client_with(scm_params(simulator, auth_url='http://127.0.0.1:9/oauth2/access_token'), timeout=2, retries=0)
    with pytest.raises(TokenError) as caught:
        client.bulk_update([{'ipAddress': '10.20.0.1'}], 'cellular')
    assert caught.value.kind == 'connection' and 'no Strata Cloud Manager access token' in str(caught.value)
    assert simulator.requests == []


@pytest.mark.parametrize('action', ['malformed', 'empty', 'html'])
def test_a_garbled_token_answer_is_a_clear_failure(simulator, action):
    simulator.inject(vendor='iot', path_contains='access_token', action=action, count=-1)
    client = client_with(scm_params(simulator), retries=0)
    with pytest.raises(TokenError) as caught:
        client.bulk_update([{'ipAddress': '10.20.0.1'}], 'cellular')
    assert 'access token' in str(caught.value) or 'authentication failed' in str(caught.value)
    assert [entry[0] for entry in log(simulator)] == ['auth']


def test_an_answer_without_access_token(simulator, monkeypatch):
    client = scm_client(simulator)
    answer = type('R', (), {'data': {'token_type': 'Bearer'}, 'status': 200})()
    monkeypatch.setattr(client.login.client, 'request', lambda *a, **k: answer)
    with pytest.raises(TokenError) as caught:
        client.bulk_update([], 'cellular')
    assert str(caught.value) == 'POST /oauth2/access_token: no Strata Cloud Manager access token: HTTP 200 without an access_token'


@pytest.mark.parametrize('expires_in, seconds', [(899, 899.0), ('60', 60.0), (None, 900), ('soon', 900), (True, 900),
                                                 (-5, 0.0), (float('nan'), 900), ('inf', 900)])
def test_token_lifetime_from_expires_in(expires_in, seconds):
    assert _lifetime(expires_in) == seconds


def test_the_token_is_not_in_errors(simulator):
    simulator.configure(iot_token_ttl_seconds=0)
    client = scm_client(simulator)
    with pytest.raises(ApiError) as caught:
        client.bulk_update([{'ipAddress': '10.20.0.1'}], 'cellular')
    token = client.login._token  # pylint: disable=protected-access
    assert token and token not in str(caught.value) and token not in json.dumps(caught.value.to_dict())


def test_a_form_body_is_sent_as_a_form_with_the_scope_colon_literal(httpserver):
    """The token request is a form (pan.dev/scm/docs/access-tokens): scope=tsg_id:<TSG>, the colon as written."""
    httpserver.expect_request('/oauth2/access_token', method='POST').respond_with_json({'access_token': 'x'})
    ApiClient(httpserver.url_for('/')).request('POST', '/oauth2/access_token',
                                               form_body=[('grant_type', 'client_credentials'), ('scope', 'tsg_id:12 a&b')])
    request = httpserver.log[0][0]
    assert request.get_data() == b'grant_type=client_credentials&scope=tsg_id:12+a%26b'
    assert request.headers['Content-Type'] == 'application/x-www-form-urlencoded'
