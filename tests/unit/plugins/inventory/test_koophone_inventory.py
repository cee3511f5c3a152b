# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fleetops.maintenance.koophone inventory plugin against the simulator over loopback HTTP: paging within the
vendor's page size, every kind of credentials, host names and variables, filters, errors, the cache."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from ansible.errors import AnsibleParserError

from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS, koophone_instance_ids

TOKEN = CREDENTIALS.koophone_token
IAM_USER = dict(CREDENTIALS.koophone_user)
AKSK = dict(CREDENTIALS.koophone_access_key)
INSTANCES = 80  # the default seed; index 7 is frozen


@pytest.fixture
def connection(simulator):
    return dict(api_url=simulator.url, auth_token=TOKEN, retries=1, retry_backoff=0.01)


def listing_queries(simulator):
    return [parse_qs(entry['query']) for entry in simulator.requests
            if entry['vendor'] == 'koophone' and entry['path'] == '/v1/instances/batch-query']


def hosts(inventory, group='koophone_instances'):
    return dict((host.name, dict((name, value) for name, value in host.vars.items()
                                 if name not in ('inventory_file', 'inventory_dir')))
                for host in inventory.groups[group].get_hosts())


# ------------------------------------------------------------------ paging
@pytest.mark.parametrize('page_size, pages', [(30, ['1', '2', '3']), (40, ['1', '2']), (100, ['1'])])
def test_every_page_is_read_and_no_more(simulator, koophone_source, connection, page_size, pages):
    listed = hosts(koophone_source.parse(dict(connection, page_size=page_size)))
    assert [hostvars['koophone_instance_id'] for hostvars in listed.values()] == koophone_instance_ids(INSTANCES)
    queries = listing_queries(simulator)
    assert [query['page_no'][0] for query in queries] == pages
    assert all(query['page_size'] == [str(page_size)] for query in queries)
    # SDK ListInstancesRequest: x-request-id in the query, a fresh one a page
    assert len(set(query['x-request-id'][0] for query in queries)) == len(pages)


def test_an_empty_tenant_is_an_empty_group(simulator, koophone_source, connection):
    simulator.load_seed({'koophone': {'tokens': [TOKEN], 'instances': 0}})
    inventory = koophone_source.parse(connection)
    assert hosts(inventory) == {}
    assert [query['page_no'] for query in listing_queries(simulator)] == [['1']]


@pytest.mark.parametrize('page_size', [0, 101])
def test_page_size_stays_within_the_vendors_limit(simulator, koophone_source, connection, page_size):
    with pytest.raises(AnsibleParserError, match='page_size must be from 1 to 100, got %d' % page_size):
        koophone_source.parse(dict(connection, page_size=page_size))
    assert simulator.requests == []


# ------------------------------------------------------------------ hosts and their variables
def test_host_variables(simulator, koophone_source, connection):
    listed = hosts(koophone_source.parse(connection))
    assert len(listed) == INSTANCES
    ids = koophone_instance_ids(INSTANCES)
    assert listed['sim-phone-0000'] == dict(
        koophone_instance_id=ids[0], koophone_instance_name='sim-phone-0000', koophone_running_status=2,
        koophone_running_status_name='running', koophone_frozen=False, koophone_region='cn-south-1',
        koophone_instance_sku='kp.arm.standard')
    assert listed['sim-phone-0007']['koophone_frozen'] is True


def test_duplicate_and_odd_names_give_safe_unique_host_names(simulator, koophone_source, connection):
    names = ['Shop 01/Front', 'shop-01 front', 'Kasse Zürich', '', 'localhost']
    simulator.load_seed({'koophone': {'tokens': [TOKEN], 'instances': [
        {'instance_id': 'id%02dabcdef' % number, 'instance_name': name} for number, name in enumerate(names)]}})
    listed = hosts(koophone_source.parse(connection))
    assert list(listed) == ['shop-01-front-id00abcd', 'shop-01-front-id01abcd', 'kasse-zurich', 'phone',
                            'localhost-id04abcd']


# ------------------------------------------------------------------ filters
def test_instance_name_is_the_vendors_filter(simulator, koophone_source, connection):
    listed = hosts(koophone_source.parse(dict(connection, instance_name='sim-phone-001')))
    assert list(listed) == ['sim-phone-%04d' % number for number in range(10, 20)]
    assert listing_queries(simulator)[0]['instance_name'] == ['sim-phone-001']


def test_instance_ids_frozen_and_running_status_are_cut_here(simulator, koophone_source, connection):
    ids = koophone_instance_ids(INSTANCES)
    picked = hosts(koophone_source.parse(dict(connection, instance_ids=[ids[3], ids[7], ids[3]])))
    assert [hostvars['koophone_instance_id'] for hostvars in picked.values()] == [ids[3], ids[7]]
    assert list(hosts(koophone_source.parse(dict(connection, frozen=True)))) == ['sim-phone-0007']
    assert 'sim-phone-0007' not in hosts(koophone_source.parse(dict(connection, frozen=False)))
    assert len(hosts(koophone_source.parse(dict(connection, running_status=['running'])))) == INSTANCES
    assert hosts(koophone_source.parse(dict(connection, running_status=[1, 'shut down']))) == {}
    assert all(set(query) == {'page_no', 'page_size', 'x-request-id'} for query in listing_queries(simulator))


@pytest.mark.parametrize('options, message', [
    (dict(running_status=['sleeping']), "running_status item 1 is neither a status number nor one of"),
    (dict(instance_ids=['x' * 33]), 'instance_ids item 1'),
    (dict(instance_ids=['']), 'instance_ids item 1 is empty'),
])
def test_bad_filters_are_named_before_anything_is_sent(simulator, koophone_source, connection, options, message):
    with pytest.raises(AnsibleParserError, match=message):
        koophone_source.parse(dict(connection, **options))
    assert simulator.requests == []


# ------------------------------------------------------------------ credentials
@pytest.mark.parametrize('credentials', [dict(auth_token=TOKEN), IAM_USER, AKSK], ids=['token', 'iam', 'aksk'])
def test_every_kind_of_credentials_the_modules_take(simulator, koophone_source, credentials):
    options = dict(credentials, api_url=simulator.url, iam_url=simulator.url, retries=0)
    assert len(hosts(koophone_source.parse(options))) == INSTANCES
    auth = [entry for entry in simulator.requests if entry['kind'] == 'auth']
    assert len(auth) == (1 if 'username' in credentials else 0)


def test_credentials_from_the_modules_environment_variables(simulator, koophone_source, monkeypatch):
    monkeypatch.setenv('KOOPHONE_API_URL', simulator.url)
    monkeypatch.setenv('HUAWEICLOUD_SDK_AK', AKSK['access_key'])
    monkeypatch.setenv('HUAWEICLOUD_SDK_SK', 'a-wrong-secret-the-collections-variable-overrides')
    monkeypatch.setenv('KOOPHONE_SECRET_KEY', AKSK['secret_key'])
    monkeypatch.setenv('KOOPHONE_PROJECT_ID', AKSK['project_id'])
    assert len(hosts(koophone_source.parse({'retries': 0}))) == INSTANCES


def test_credentials_of_two_kinds_are_refused(simulator, koophone_source, connection, monkeypatch):
    monkeypatch.setenv('KOOPHONE_ACCESS_KEY', AKSK['access_key'])
    monkeypatch.setenv('KOOPHONE_SECRET_KEY', AKSK['secret_key'])
    with pytest.raises(AnsibleParserError, match=r'Credentials of more than one kind were given \(auth_token, AK/SK signing\)'):
        koophone_source.parse(connection)
    assert simulator.requests == []


def test_no_credentials_say_where_they_can_come_from(simulator, koophone_source):
    with pytest.raises(AnsibleParserError, match='No credentials: give access_key and secret_key'):
        koophone_source.parse({'api_url': simulator.url})


@pytest.mark.parametrize('credentials, secret', [
    (dict(auth_token='unit-wrong-token'), 'unit-wrong-token'),
    (dict(IAM_USER, password='unit-wrong-password'), 'unit-wrong-password'),
    (dict(AKSK, secret_key='unit-wrong-secret-key'), 'unit-wrong-secret-key'),
], ids=['token', 'iam', 'aksk'])
def test_wrong_credentials_are_a_clear_error_without_the_secret(simulator, koophone_source, credentials, secret):
    with pytest.raises(AnsibleParserError) as caught:
        koophone_source.parse(dict(credentials, api_url=simulator.url, iam_url=simulator.url, retries=0))
    text = str(caught.value)
    assert 'the KooPhone instances could not be listed' in text and 'HTTP 401' in text and 'Check ' in text
    assert secret not in text


def test_an_error_code_inside_data_fails_the_source_with_its_meaning(simulator, koophone_source, connection):
    simulator.inject(vendor='koophone', path_contains='batch-query', action='vendor_error',
                     error_code='KOOPHONE.API.1004', error_text='service not subscribed', count=-1)
    with pytest.raises(AnsibleParserError, match=r'KOOPHONE.API.1004 \(service not subscribed\)'):
        koophone_source.parse(connection)


# ------------------------------------------------------------------ the cache
def test_the_cache_saves_the_second_listing_and_holds_no_secret(simulator, koophone_source, tmp_path):
    options = dict(AKSK, api_url=simulator.url, retries=0, page_size=50, cache=True,
                   cache_plugin='ansible.builtin.jsonfile', cache_connection=str(tmp_path / 'cache'))
    first = hosts(koophone_source.parse(options))
    assert len(listing_queries(simulator)) == 2
    simulator.clear_log()
    assert hosts(koophone_source.parse(options)) == first
    assert simulator.requests == []
    cached = ''.join(path.read_text() for path in (tmp_path / 'cache').iterdir())
    assert AKSK['secret_key'] not in cached and AKSK['access_key'] not in cached and 'sim-phone-0000' in cached
