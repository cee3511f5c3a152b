# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bad input, property-based: every malformed value ends in fail_json naming the parameter, never a
traceback, and nothing is sent (the simulator's request log stays empty). Values that reach a URL or a
query string cannot change the request's path or add parameters.

Each module runs in-process (``run_module``) against the simulator over loopback: a value that slipped
through validation would show up in the simulator's log. Any exception other than the module's own
exit/fail is a test failure (that is how a traceback would surface).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import math
import os
import re
import unicodedata

try:
    from urllib.parse import parse_qs
except ImportError:  # pragma: no cover
    parse_qs = None

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from ansible_collections.fleetops.maintenance.plugins.modules import (
    iot_device_bulk,
    koophone_instance_info,
    koophone_instance_reset,
    resource_counters,
    resource_counters_info,
    wfbss_report,
    wfbss_report_info,
    wfbss_reset,
)
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS, wfbss_customer_id

pytestmark = pytest.mark.filterwarnings('ignore::DeprecationWarning')

# The short profile runs in CI; the deep one (FLEETOPS_FUZZ_PROFILE=deep, bash scripts/test --only fuzz) tries far more.
DEEP = os.environ.get('FLEETOPS_FUZZ_PROFILE') == 'deep'
EXAMPLES = 120 if DEEP else 60
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])
CID = wfbss_customer_id(1)
GUID_RE = re.compile(r'\A[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\Z')
# Text as Ansible can carry it (no lone surrogates, which JSON module args cannot hold as UTF-8).
TEXT = st.text(st.characters(blacklist_categories=('Cs',)), max_size=40)
ODD = st.sampled_from([
    '', ' ', '\t', '\n', '\x00', '\u200b', '\ufeff', '\u202e', 'ﬁ', 'İ', '٣', '１２３', '🙂', '../', '..', '%2F', '%00',
    '&', '=', '?', '#', '/', '\\', ';', ',', '+', ' OR 1=1', '<script>', '${jndi:x}', '{{ lookup("env","HOME") }}',
])


TRIED = []  # one entry per module run, of every test of this file


@pytest.fixture(scope='module', autouse=True)
def count_inputs():
    """The number of inputs tried, written to FLEETOPS_FUZZ_COUNT_FILE when set (scripts/test --only fuzz sums it)."""
    yield
    if os.environ.get('FLEETOPS_FUZZ_COUNT_FILE'):
        with open(os.environ['FLEETOPS_FUZZ_COUNT_FILE'], 'a') as handle:
            handle.write(json.dumps(dict(file=__name__, inputs=len(TRIED))) + '\n')


@pytest.fixture
def sim(simulator_server):
    simulator_server.reset()
    return simulator_server


class Runner(object):
    """Runs a module with base arguments plus overrides and checks the "clear refusal, nothing sent" contract."""

    def __init__(self, sim, run_module):
        self.sim = sim
        self.run_module = run_module
        self.tried = 0

    def refused(self, module, args, parameter):
        """Run; assert it failed with a message naming ``parameter`` and sent nothing. Returns the message."""
        self.sim.clear_log()
        self.tried += 1
        TRIED.append(1)
        result, failed = self.run_module(module, args)
        assert failed, 'accepted %r' % (args,)
        assert 'exception' not in result and 'Traceback' not in result['msg'], result
        assert parameter in result['msg'], 'the message does not name %s: %s' % (parameter, result['msg'])
        assert self.sim.requests == [], 'a request was sent for a refused value'
        return result['msg']

    def accepted(self, module, args):
        self.sim.clear_log()
        self.tried += 1
        TRIED.append(1)
        result, failed = self.run_module(module, args)
        assert not failed, result['msg']
        return result


@pytest.fixture
def runner(sim, run_module):
    return Runner(sim, run_module)


def connection(**extra):
    base = dict(retries=0, retry_backoff=0, timeout=5)
    base.update(extra)
    return base


def wfbss(sim, **extra):
    return connection(api_url=sim.url, **dict(CREDENTIALS.wfbss, **extra))


def koophone(sim, **extra):
    return connection(api_url=sim.url, auth_token=CREDENTIALS.koophone_token, **extra)


def koophone_aksk(sim, **extra):
    """The simulator's default AK/SK pair: every request signed, no token."""
    return connection(api_url=sim.url, **dict(CREDENTIALS.koophone_access_key, **extra))


def iot(sim, **extra):
    return connection(api_url=sim.url, **dict(CREDENTIALS.iot, **extra))


def iot_scm(sim, **extra):
    args = dict(CREDENTIALS.iot_scm, api_url=sim.url, auth_url=sim.url + '/oauth2/access_token')
    args.update(extra)
    return connection(**args)


def altcraft(sim, **extra):
    return connection(api_url=sim.url, api_token=CREDENTIALS.altcraft_token, **extra)


REPORT = dict(name='weekly report', schedule='weekly', weekday='monday', time='08:00', contents=['virus_summary'])

# --------------------------------------------------------------------------------------------------------
# Strategies of malformed values

GUIDISH = st.one_of(
    TEXT,
    st.uuids().map(str).flatmap(lambda guid: st.tuples(st.just(guid), ODD).map(lambda pair: pair[0] + pair[1])),
    st.uuids().map(str).flatmap(lambda guid: st.tuples(ODD, st.just(guid)).map(lambda pair: pair[0] + pair[1])),
    st.uuids().map(lambda guid: str(guid).replace('-', '')),
    st.uuids().map(lambda guid: '{%s}' % guid),
    st.uuids().map(lambda guid: str(guid)[:-1] + 'g'),
    st.uuids().map(lambda guid: str(guid).replace('a', '\uff41').replace('1', '\uff11')),
    st.uuids().map(lambda guid: '%s&cids=%s' % (CID, guid)),
    st.uuids().map(lambda guid: '%s,%s' % (CID, guid)),
).filter(lambda value: not GUID_RE.match(value.strip()))


def with_bad_item(good, bad):
    """A list of good values with one bad value at a random position (lists up to 300 long)."""
    return st.tuples(st.lists(good, max_size=300), bad, st.integers(min_value=0, max_value=300)).map(
        lambda parts: parts[0][:parts[2]] + [parts[1]] + parts[0][parts[2]:])


GOOD_CIDS = st.integers(min_value=1, max_value=25).map(wfbss_customer_id)
WFBSS_MODULES = [
    (wfbss_reset, dict(type='counter')),
    (wfbss_report, REPORT),
    (wfbss_report_info, {}),
]


@pytest.mark.parametrize('module, extra', WFBSS_MODULES, ids=['wfbss_reset', 'wfbss_report', 'wfbss_report_info'])
@SETTINGS
@given(customer_ids=st.one_of(st.just([]), with_bad_item(GOOD_CIDS, GUIDISH)))
def test_wfbss_customer_ids(module, extra, customer_ids, runner, sim):
    """Malformed GUIDs (and cids that try to add a parameter) are refused naming customer_ids."""
    runner.refused(module, wfbss(sim, customer_ids=customer_ids, **extra), 'customer_ids')


VERSION_OK = re.compile(r'\Av[0-9]+(\.[0-9]+)*\Z')


@pytest.mark.parametrize('api_version', ['..', '.', 'v2.8\n'])
def test_wfbss_api_version_cannot_change_the_path(api_version, runner, sim):
    runner.refused(wfbss_report_info, wfbss(sim, customer_ids=[CID], api_version=api_version), 'api_version')


@SETTINGS
@given(api_version=st.one_of(TEXT, ODD, st.tuples(st.just('v2.8'), ODD).map(''.join)).filter(
    lambda value: not VERSION_OK.match(value)))
def test_wfbss_api_version(api_version, runner, sim):
    runner.refused(wfbss_report_info, wfbss(sim, customer_ids=[CID], api_version=api_version), 'api_version')


TIMES = st.one_of(
    TEXT, ODD,
    st.tuples(st.integers(-5, 99), st.integers(-5, 99)).map(lambda hm: '%d:%02d' % hm),
    st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59)).map(lambda hms: '%02d:%02d:%02d' % hms),
    st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda hm: '%02d%02d' % hm),
    st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda hm: '%02d:%02d pm' % hm),
    st.just('１２:００'), st.just('08:00\n08:00'), st.just('24:00'), st.just('23:60'),
).filter(lambda value: not re.match(r'\A([01]?[0-9]|2[0-3]):([0-5][0-9])\Z', value.strip()))


@SETTINGS
@given(time=TIMES)
def test_wfbss_report_time(time, runner, sim):
    args = wfbss(sim, customer_ids=[CID], **REPORT)
    args['time'] = time
    runner.refused(wfbss_report, args, 'time')


EMAILS = st.one_of(
    st.emails().map(lambda address: address.replace('@', '')),
    st.emails().map(lambda address: address.replace('@', ' @ ')),
    st.just('@'), st.just('@@'), st.just('user@'), st.just('@example.com'), st.just('a b@example.com'), st.just(''),
    TEXT.filter(lambda value: '@' not in value),
)


@SETTINGS
@given(recipients=with_bad_item(st.emails(), EMAILS))
def test_wfbss_report_recipients(recipients, runner, sim):
    runner.refused(wfbss_report, wfbss(sim, customer_ids=[CID], recipients=recipients, **REPORT), 'recipients')


NAMES_WITH_FORBIDDEN = st.tuples(TEXT, st.sampled_from(list('\\/:;*?"<>|')), TEXT).map(''.join)


@SETTINGS
@given(name=st.one_of(NAMES_WITH_FORBIDDEN, st.sampled_from(['', ' ', '\t\n'])))
def test_wfbss_report_name(name, runner, sim):
    args = wfbss(sim, customer_ids=[CID], **REPORT)
    args['name'] = name
    runner.refused(wfbss_report, args, 'name')


@SETTINGS
@given(monthday=st.one_of(st.integers(max_value=0), st.integers(min_value=32)))
def test_wfbss_report_monthday(monthday, runner, sim):
    args = wfbss(sim, customer_ids=[CID], **REPORT)
    args.update(schedule='monthly', weekday=None, monthday=monthday)
    del args['weekday']
    runner.refused(wfbss_report, args, 'monthday')


@SETTINGS
@given(contents=with_bad_item(st.sampled_from(['virus_summary', '101', 'top_devices_web_threat']),
                              st.one_of(TEXT, ODD, st.integers(0, 999).map(str)).filter(
                                  lambda value: value.strip().lower() not in (
                                      'virus_summary', 'top_devices_virus', 'top_servers_virus', 'spyware_summary',
                                      'top_devices_spyware', 'top_servers_spyware', 'top_network_viruses',
                                      'top_devices_network_virus', 'top_devices_web_threat',
                                      'top_programs_behavior_monitoring', 'top_devices_behavior_monitoring',
                                      'top_url_category_policies', 'top_devices_url_category',
                                      'top_programs_device_control', 'top_devices_device_control', '100', '101',
                                      '102', '200', '201', '202', '300', '301', '400', '500', '501', '600', '601',
                                      '700', '701'))))
def test_wfbss_report_contents(contents, runner, sim):
    args = wfbss(sim, customer_ids=[CID], **REPORT)
    args['contents'] = contents
    runner.refused(wfbss_report, args, 'contents')


# --------------------------------------------------------------------------------------------------------
# KooPhone

BAD_INSTANCE_ID = st.one_of(
    st.sampled_from(['', ' ', '\t', '\n', '\u3000']),
    st.text(st.characters(blacklist_categories=('Cs',)), min_size=33, max_size=200),
)
GOOD_INSTANCE_ID = st.text('abcdefghijklmnopqrstuvwxyz0123456789', min_size=8, max_size=8)


@pytest.mark.parametrize('module', [koophone_instance_reset, koophone_instance_info], ids=['reset', 'info'])
@SETTINGS
@given(instance_ids=st.one_of(st.just([]), with_bad_item(GOOD_INSTANCE_ID, BAD_INSTANCE_ID)))
def test_koophone_instance_ids(module, instance_ids, runner, sim):
    """Empty, blank and over-long ids (unicode included) are refused naming instance_ids, before any login."""
    runner.refused(module, koophone(sim, instance_ids=instance_ids), 'instance_ids')


@pytest.mark.parametrize('option', ['wait_timeout', 'poll_interval'])
@SETTINGS
@given(value=st.one_of(st.floats(max_value=0, allow_nan=False), st.just(float('-inf'))))
def test_koophone_reset_wait_numbers(option, value, runner, sim):
    runner.refused(koophone_instance_reset, koophone(sim, instance_ids=['abcdefgh'], **{option: value}), option)


@SETTINGS
@given(page_size=st.integers(max_value=0))
def test_koophone_info_page_size(page_size, runner, sim):
    runner.refused(koophone_instance_info, koophone(sim, page_size=page_size), 'page_size')


@SETTINGS
@given(instance_name=TEXT.filter(lambda value: value.strip() != ''))
def test_koophone_instance_name_stays_one_query_parameter(instance_name, runner, sim):
    """instance_name reaches the query string: the path stays the same and it arrives as one parameter, intact."""
    runner.accepted(koophone_instance_info, koophone(sim, instance_name=instance_name))
    calls = [entry for entry in sim.requests if entry['vendor'] == 'koophone']
    assert calls
    for entry in calls:
        assert entry['path'] == '/v1/instances/batch-query'
        query = parse_qs(entry['query'], keep_blank_values=True)
        assert sorted(query) == ['instance_name', 'page_no', 'page_size', 'x-request-id']
        assert query['instance_name'] == [instance_name]


@SETTINGS
@given(instance_name=TEXT.filter(lambda value: value.strip() != ''))
def test_koophone_aksk_signs_any_instance_name(instance_name, runner, sim):
    """Any instance_name is signed as the simulator (which rebuilds the canonical query itself) checks it."""
    runner.accepted(koophone_instance_info, koophone_aksk(sim, instance_name=instance_name))
    assert [entry['status'] for entry in sim.requests] == [200]


@pytest.mark.parametrize('module', [koophone_instance_reset, koophone_instance_info], ids=['reset', 'info'])
@pytest.mark.parametrize('missing', ['access_key', 'secret_key'])
def test_koophone_half_an_aksk_pair(module, missing, runner, sim):
    args = koophone_aksk(sim, instance_ids=['abcdefgh'])
    del args[missing]
    runner.refused(module, args, missing)


# --------------------------------------------------------------------------------------------------------
# IoT Security

def good_device(index):
    return dict(ip_address='10.20.%d.%d' % (index // 250, index % 250 + 1), imsi='310150123456789')


def is_ip(value, version):
    """A valid address of that version (a zone index, which newer Pythons accept, is host-local: refused)."""
    try:
        return '%' not in value and ipaddress.ip_address(value.strip()).version == version
    except ValueError:
        return False


NEAR_IPV4 = st.one_of(
    TEXT, ODD,
    st.tuples(*[st.integers(0, 999)] * 4).map(lambda parts: '%d.%d.%d.%d' % parts),
    st.tuples(*[st.integers(0, 255)] * 3).map(lambda parts: '%d.%d.%d' % parts),
    st.tuples(*[st.integers(0, 255)] * 5).map(lambda parts: '%d.%d.%d.%d.%d' % parts),
    st.ip_addresses(v=4).map(lambda address: str(address) + '/24'),
    st.ip_addresses(v=4).map(lambda address: str(address).replace('.', '\u3002')),
    st.ip_addresses(v=4).map(lambda address: '0' + str(address)),
    st.ip_addresses(v=6).map(str),
).filter(lambda value: not is_ip(value, 4))
NEAR_IPV6 = st.one_of(
    TEXT, ODD, st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda address: str(address) + ':::'),
    st.ip_addresses(v=6).map(lambda address: str(address).replace(':', '-')),
    st.ip_addresses(v=6).map(lambda address: str(address) + '%eth0'),
).filter(lambda value: not is_ip(value, 6))


def digits_but_not(pattern):
    regex = re.compile(pattern)
    return st.one_of(
        st.text('0123456789', max_size=30), TEXT, ODD,
        st.text('0123456789', min_size=15, max_size=15).map(lambda value: value[:7] + ' ' + value[7:]),
        st.text('٠١٢٣٤٥٦٧٨٩', min_size=15, max_size=15),
        st.text('０１２３４５６７８９', min_size=15, max_size=15),
        st.text('0123456789', min_size=14, max_size=22).map(lambda value: value + 'F'),
        st.text('0123456789', min_size=18, max_size=22).map(lambda value: value + 'FF'),
        st.text('0123456789', min_size=18, max_size=22).map(lambda value: value[:5] + 'F' + value[5:]),
    ).filter(lambda value: value.strip() and not regex.match(value.strip()))


DEVICE_FIELDS = {
    'ip_address': NEAR_IPV4.filter(lambda value: value.strip()),
    'ipv6_address': NEAR_IPV6.filter(lambda value: value.strip()),
    'imei': digits_but_not(r'\A[0-9]{15}\Z'),
    'iccid': digits_but_not(r'\A[0-9]{18,22}[Ff]?\Z'),
    'imsi': digits_but_not(r'\A[0-9]{6,15}\Z'),
    'msisdn': digits_but_not(r'\A\+?[0-9]{1,15}\Z'),
}


@pytest.mark.parametrize('field', sorted(DEVICE_FIELDS))
@SETTINGS
@given(data=st.data())
def test_iot_device_fields(field, data, runner, sim):
    """One bad field in one device among up to 300: refused naming the field and the device's position."""
    count = data.draw(st.integers(min_value=1, max_value=300), label='devices')
    position = data.draw(st.integers(min_value=0, max_value=count - 1), label='position')
    value = data.draw(DEVICE_FIELDS[field], label=field)
    devices = [good_device(index) for index in range(count)]
    if field == 'ipv6_address':
        devices[position] = dict(ipv6_address=value)
    else:
        devices[position][field] = value
    message = runner.refused(iot_device_bulk, iot(sim, devices=devices), field)
    assert 'devices item %d' % (position + 1) in message


@SETTINGS
@given(device=st.one_of(
    st.dictionaries(TEXT.filter(lambda key: key not in ('ip_address', 'ipv6_address', 'imei', 'iccid', 'imsi', 'apn',
                                                        'msisdn', 'session_event_type', 'session_start',
                                                        'session_end')),
                    TEXT, min_size=1, max_size=3).map(lambda extra: dict(extra, ip_address='10.20.0.1')),
    st.just({}), st.just({'imei': '356938035643809'}), st.just({'ip_address': ' '}),
))
def test_iot_unknown_or_missing_fields(device, runner, sim):
    runner.refused(iot_device_bulk, iot(sim, devices=[good_device(0), device]), 'devices item 2')


@SETTINGS
@given(update_source=TEXT.filter(lambda value: value != 'cellular'))
def test_iot_update_source_other_than_cellular_is_refused(update_source, runner, sim):
    """The module builds cellular bodies only: any other updateSource is refused before anything is sent."""
    runner.refused(iot_device_bulk, iot(sim, devices=[good_device(0)], update_source=update_source), 'update_source')


@SETTINGS
@given(tsg_id=st.one_of(TEXT, ODD, st.integers(max_value=-1).map(str),
                        st.text('0123456789', min_size=1, max_size=12).map(lambda value: value + ' email'),
                        st.text('٠١٢٣٤٥٦٧٨٩', min_size=1, max_size=10)).filter(
                            lambda value: value.strip() and not re.match(r'\A[0-9]+\Z', value.strip())))
def test_iot_scm_tsg_id(tsg_id, runner, sim):
    """tsg_id becomes the token's scope (tsg_id:<TSG>): anything but digits could add a scope or break it."""
    runner.refused(iot_device_bulk, iot_scm(sim, devices=[good_device(0)], tsg_id=tsg_id), 'tsg_id')


@SETTINGS
@given(client_id=TEXT.filter(lambda value: value.strip()).map(lambda value: value[:5] + ':' + value[5:]))
def test_iot_scm_client_id_with_a_colon(client_id, runner, sim):
    runner.refused(iot_device_bulk, iot_scm(sim, devices=[good_device(0)], client_id=client_id), 'client_id')


@pytest.mark.parametrize('args', [dict(customer_id=CREDENTIALS.iot['customer_id']), dict(key_id=CREDENTIALS.iot['key_id']),
                                  dict(access_key='x')])
def test_iot_both_kinds_of_credentials(args, runner, sim):
    message = runner.refused(iot_device_bulk, iot_scm(sim, devices=[good_device(0)], **args), 'not both')
    assert CREDENTIALS.iot_scm['client_secret'] not in message


@pytest.mark.parametrize('option, values', [
    ('batch_size', st.integers(max_value=0)),
    ('requests_per_minute', st.integers(max_value=0)),
    ('update_source', st.sampled_from(['', ' ', '\t\n', '\u3000'])),
])
@SETTINGS
@given(data=st.data())
def test_iot_options(option, values, data, runner, sim):
    value = data.draw(values, label=option)
    runner.refused(iot_device_bulk, iot(sim, devices=[good_device(0)], **{option: value}), option)


# --------------------------------------------------------------------------------------------------------
# Altcraft

@pytest.mark.parametrize('module', [resource_counters, resource_counters_info], ids=['refresh', 'info'])
@pytest.mark.parametrize('option', ['resource_id', 'list_id'])
@SETTINGS
@given(value=st.one_of(st.integers(max_value=0), TEXT.filter(lambda value: not value.strip().lstrip('+').isdigit()),
                       st.floats(allow_nan=True, allow_infinity=False).filter(
                           lambda value: math.isnan(value) or value != int(value))))
@example(value='1_0')  # Python's int() reads it as 10
@example(value='1.0')
@example(value='1E0')
@example(value='INFINITY')  # ansible-core's int conversion raises OverflowError on it
@example(value=True)
def test_altcraft_ids(module, option, value, runner, sim):
    args = altcraft(sim, resource_id=1, list_id=1)
    args[option] = value
    runner.refused(module, args, option)


DURATION_OK = re.compile(r'\A\s*(?:\d+(?:\.\d+)?\s*[smhdw]?\s*)+\Z', re.IGNORECASE)


@SETTINGS
@given(max_age=st.one_of(TEXT, ODD, st.sampled_from(['0', '0s', '-5m', '1y', '1.5.3h', 'h', '12 hours', 'PT1H', '１h']))
       .filter(lambda value: not DURATION_OK.match(value) or not any(unicodedata.decimal(char, 0) for char in value)))
@example(max_age='0')
def test_altcraft_max_age(max_age, runner, sim):
    runner.refused(resource_counters, altcraft(sim, resource_id=1, list_id=1, max_age=max_age), 'max_age')


@SETTINGS
@given(feedback_url=st.one_of(TEXT.filter(lambda value: not value.startswith(('http://', 'https://'))),
                              st.sampled_from(['http://', 'https://', 'ftp://example.com/x', 'javascript:alert(1)',
                                               'file:///etc/passwd', '//example.com/x', 'http:/example.com'])))
def test_altcraft_feedback_url(feedback_url, runner, sim):
    runner.refused(resource_counters, altcraft(sim, resource_id=1, list_id=1, feedback_url=feedback_url),
                   'feedback_url')


# --------------------------------------------------------------------------------------------------------
# The connection options and api_url, for every module

MODULE_ARGS = [
    ('koophone_instance_reset', koophone_instance_reset, lambda sim: koophone(sim, instance_ids=['abcdefgh'])),
    ('koophone_instance_info', koophone_instance_info, lambda sim: koophone(sim, instance_ids=['abcdefgh'])),
    ('iot_device_bulk', iot_device_bulk, lambda sim: iot(sim, devices=[good_device(0)])),
    ('resource_counters', resource_counters, lambda sim: altcraft(sim, resource_id=1, list_id=1)),
    ('resource_counters_info', resource_counters_info, lambda sim: altcraft(sim, resource_id=1, list_id=1)),
    ('wfbss_reset', wfbss_reset, lambda sim: wfbss(sim, customer_ids=[CID], type='counter')),
    ('wfbss_report', wfbss_report, lambda sim: wfbss(sim, customer_ids=[CID], **REPORT)),
    ('wfbss_report_info', wfbss_report_info, lambda sim: wfbss(sim, customer_ids=[CID])),
]


def parses_as_float(value):
    """Whether Python (and so Ansible's type conversion) reads the text as a number (inf and nan included)."""
    try:
        float(value)
    except ValueError:
        return False
    return True


CONNECTION_VALUES = st.one_of(
    st.tuples(st.just('timeout'), st.floats(max_value=0, allow_nan=False)),
    st.tuples(st.just('retries'), st.integers(max_value=-1)),
    st.tuples(st.just('retry_backoff'), st.floats(max_value=0, exclude_max=True, allow_nan=False)),
    st.tuples(st.just('rate_limit_timeout'), st.floats(max_value=0, exclude_max=True, allow_nan=False)),
    st.tuples(st.sampled_from(['timeout', 'retries', 'retry_backoff', 'rate_limit_timeout']),
              TEXT.filter(lambda value: not parses_as_float(value))),
)


@pytest.mark.parametrize('name, module, base', MODULE_ARGS, ids=[entry[0] for entry in MODULE_ARGS])
@SETTINGS
@given(option_value=CONNECTION_VALUES)
def test_connection_options(name, module, base, option_value, runner, sim):
    option, value = option_value
    args = base(sim)
    args[option] = value
    runner.refused(module, args, option)


NON_FINITE = [('timeout', 'inf'), ('timeout', 'nan'), ('retry_backoff', 'inf'), ('retry_backoff', 'nan'),
              ('rate_limit_timeout', 'inf'), ('rate_limit_timeout', 'nan')]


@pytest.mark.parametrize('option, value', NON_FINITE, ids=['%s=%s' % pair for pair in NON_FINITE])
@pytest.mark.parametrize('name, module, base', MODULE_ARGS, ids=[entry[0] for entry in MODULE_ARGS])
def test_non_finite_connection_numbers(name, module, base, option, value, runner, sim):
    sim.configure(altcraft_task_seconds=0.1, koophone_job_seconds=0.1)
    args = base(sim)
    args[option] = value
    runner.refused(module, args, option)


@pytest.mark.parametrize('option', ['wait_timeout', 'poll_interval'])
@pytest.mark.parametrize('value', ['inf', 'nan'])
@pytest.mark.parametrize('name', ['koophone_instance_reset', 'resource_counters'])
def test_non_finite_wait_numbers(name, option, value, runner, sim):
    module, base = dict((entry[0], entry[1:]) for entry in MODULE_ARGS)[name]
    sim.configure(altcraft_task_seconds=0.1, koophone_job_seconds=0.1)
    args = base(sim)
    args.update(wait=True, wait_timeout=1, poll_interval=0.05)  # bounded, should the value get through
    args[option] = value
    runner.refused(module, args, option)


URLS = st.one_of(
    TEXT.filter(lambda value: not value.startswith(('http://', 'https://'))),
    st.sampled_from(['http://', 'https://', 'ftp://127.0.0.1/', 'file:///etc/passwd', '127.0.0.1:8787', '//127.0.0.1',
                     'http:/127.0.0.1', 'http://127.0.0.1/?a=b', 'http://127.0.0.1/#frag', 'javascript:alert(1)']),
)


@pytest.mark.parametrize('name, module, base', MODULE_ARGS, ids=[entry[0] for entry in MODULE_ARGS])
@SETTINGS
@given(api_url=URLS)
def test_api_url(name, module, base, api_url, runner, sim):
    args = base(sim)
    args['api_url'] = api_url
    runner.refused(module, args, 'api_url')


# With Strata Cloud Manager credentials a blank api_url or auth_url means the documented default (AWX injects an
# empty variable for an empty field); any other bad URL is refused.
URLS_NOT_BLANK = URLS.filter(lambda value: value.strip())


@pytest.mark.parametrize('option', ['auth_url', 'api_url'])
@SETTINGS
@given(url=URLS_NOT_BLANK)
def test_iot_scm_urls(option, url, runner, sim):
    runner.refused(iot_device_bulk, iot_scm(sim, devices=[good_device(0)], **{option: url}), option)


@pytest.mark.parametrize('api_url', ['ftp://user:CANARY-URL-PASSWORD@127.0.0.1/',
                                     'http:/user:CANARY-URL-PASSWORD@127.0.0.1/'])
@pytest.mark.parametrize('name, module, base', MODULE_ARGS[:1], ids=['koophone_instance_reset'])
def test_api_url_with_credentials_is_not_echoed(name, module, base, api_url, runner, sim):
    args = base(sim)
    args['api_url'] = api_url
    message = runner.refused(module, args, 'api_url')
    assert 'CANARY-URL-PASSWORD' not in message


@pytest.mark.parametrize('name, module, base', MODULE_ARGS, ids=[entry[0] for entry in MODULE_ARGS])
def test_api_url_with_credentials_is_refused_without_echo(name, module, base, runner, sim):
    args = base(sim)
    args['api_url'] = sim.url.replace('://', '://user:CANARY-URL-PASSWORD@')
    message = runner.refused(module, args, 'api_url')
    assert 'CANARY-URL-PASSWORD' not in message


@pytest.mark.parametrize('size', [1000, 20000])
def test_huge_lists_are_validated_quickly_and_completely(size, runner, sim):
    """A huge list with one bad value at the very end: refused, naming its position, nothing sent."""
    cids = [wfbss_customer_id(1 + index % 25) for index in range(size)] + ['not-a-guid']
    message = runner.refused(wfbss_reset, wfbss(sim, customer_ids=cids, type='counter'), 'customer_ids')
    assert 'item %d' % (size + 1) in message
    ids = ['i%07d' % index for index in range(size)] + ['x' * 33]
    message = runner.refused(koophone_instance_reset, koophone(sim, instance_ids=ids), 'instance_ids')
    assert 'item %d' % (size + 1) in message
    devices = [good_device(index % 300) for index in range(size)] + [dict(ip_address='10.20.0.1', imei='1')]
    message = runner.refused(iot_device_bulk, iot(sim, devices=devices), 'imei')
    assert 'devices item %d' % (size + 1) in message


@SETTINGS
@given(name=TEXT)
def test_wfbss_report_name_stays_one_query_parameter(name, runner, sim):
    """wfbss_report_info's name reaches the query string (and the signature): one parameter, intact, same path."""
    assume(name != '')
    runner.accepted(wfbss_report_info, wfbss(sim, customer_ids=[CID, wfbss_customer_id(2)], name=name))
    (entry,) = [entry for entry in sim.requests if entry['vendor'] == 'wfbss']
    assert entry['path'] == '/SMPI/v2.8/service/wfbss/api/report'
    assert entry['status'] == 200, 'the signature over the encoded query was refused'
    query = parse_qs(entry['query'], keep_blank_values=True)
    assert query == {'cids': ['%s,%s' % (CID, wfbss_customer_id(2))], 'name': [name]}


# A credential sent in an HTTP header with any character that is not printable ASCII: refused naming the option.
NOT_PRINTABLE_ASCII = st.characters(blacklist_categories=('Cs',)).filter(lambda char: not ' ' <= char <= '~')
HEADER_CREDENTIALS = [
    ('wfbss_reset', 'access_token'), ('koophone_instance_info', 'auth_token'), ('iot_device_bulk', 'key_id'),
    ('iot_device_bulk', 'access_key'),
]


@pytest.mark.parametrize('name, option', HEADER_CREDENTIALS, ids=['%s-%s' % pair for pair in HEADER_CREDENTIALS])
@SETTINGS
@given(secret=st.tuples(TEXT, NOT_PRINTABLE_ASCII, TEXT).map(''.join))
def test_header_credentials(name, option, secret, runner, sim):
    module, base = dict((entry[0], entry[1:]) for entry in MODULE_ARGS)[name]
    args = base(sim)
    args[option] = secret
    message = runner.refused(module, args, option)
    assert 'printable ASCII' in message
    assert secret not in message
