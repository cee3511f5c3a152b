# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fleetops.maintenance.wfbss inventory plugin against the simulator over loopback HTTP: paging, host names
and variables, filters, credentials, errors, the cache."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData

from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiError
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss import WfbssClient
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS, wfbss_customer_id

TOKEN = CREDENTIALS.wfbss['access_token']
SECRET = CREDENTIALS.wfbss['secret_key']
OTHER_TOKEN = '0a1b2c3d-0000-4000-8000-00000000000b'
OTHER_SECRET = 'unit-secret-of-account-b'


@pytest.fixture
def connection(simulator):
    return dict(api_url=simulator.url, access_token=TOKEN, secret_key=SECRET, retries=1, retry_backoff=0.01)


def seed(simulator, customers, other=None):
    accounts = [dict(access_token=TOKEN, secret_key=SECRET, customers=customers)]
    if other is not None:
        accounts.append(dict(access_token=OTHER_TOKEN, secret_key=OTHER_SECRET, customers=other))
    simulator.load_seed({'wfbss': {'accounts': accounts}})


def customer_pages(simulator):
    """The ``page`` of each GET customers request, in order."""
    return [parse_qs(entry['query']).get('page', [None])[0] for entry in simulator.requests
            if entry['vendor'] == 'wfbss' and entry['path'].endswith('/customers')]


def hosts(inventory, group='wfbss_customers'):
    """{host name: the variables the plugin set} of a group's hosts, in the order they were added."""
    return dict((host.name, own_vars(host)) for host in inventory.groups[group].get_hosts())


def own_vars(host):
    """A host's variables without those Ansible sets on every host (inventory_file, inventory_dir)."""
    return dict((name, value) for name, value in host.vars.items() if name not in ('inventory_file', 'inventory_dir'))


# ------------------------------------------------------------------ paging
@pytest.mark.parametrize('count, pages', [(250, ['1', '2', '3']), (200, ['1', '2']), (100, ['1']), (1, ['1'])])
def test_every_page_is_read_and_no_more(simulator, wfbss_source, connection, count, pages):
    """The simulator serves 100 a page (paging.limit): 250 customers is 3 pages, 200 exactly 2."""
    seed(simulator, count)
    inventory = wfbss_source.parse(dict(connection, account='partner-north'))
    listed = hosts(inventory)
    assert len(listed) == count
    assert sorted(hostvars['wfbss_customer_id'] for hostvars in listed.values()) == sorted(
        wfbss_customer_id(number) for number in range(1, count + 1))
    assert customer_pages(simulator) == pages


def test_an_empty_tenant_is_an_empty_group(simulator, wfbss_source, connection):
    seed(simulator, 0)
    inventory = wfbss_source.parse(connection)
    assert 'wfbss_customers' in inventory.groups and hosts(inventory) == {}
    assert customer_pages(simulator) == ['1']


def paged_server(httpserver, pages):
    """An SMPI stand-in answering GET customers?page=N with pages[N-1] (no signature check)."""
    path = '/SMPI/v2.8/service/wfbss/api/customers'
    for number, body in enumerate(pages, 1):
        httpserver.expect_ordered_request(path, query_string='page=%d' % number).respond_with_json(body)
    return dict(api_url=httpserver.url_for('/').rstrip('/'), access_token=TOKEN, secret_key=SECRET, retries=0)


def page(ids, total, limit):
    return {'customers': [{'id': cid, 'name': 'Customer %s' % cid[:4]} for cid in ids], 'paging': {'total': total, 'limit': limit}}


def test_the_page_count_comes_from_paging_total_and_limit(httpserver):
    """A limit of 2 and a total of 5 (not a multiple of the limit): pages 1, 2 and 3, the last one short."""
    ids = [wfbss_customer_id(number) for number in range(1, 6)]
    params = paged_server(httpserver, [page(ids[0:2], 5, 2), page(ids[2:4], 5, 2), page(ids[4:], 5, 2)])
    with WfbssClient(dict(params, api_version='v2.8', validate_certs=True, ca_path=None, timeout=5, retry_backoff=0,
                          rate_limit_timeout=0)) as client:
        listed = client.list_customers()
    assert [item['id'] for item in listed] == ids
    assert len(httpserver.log) == 3


def test_an_empty_page_ends_the_listing_and_repeats_are_kept_once(httpserver):
    """A customer added while paging shifts one onto the next page; a total that shrank leaves an empty page."""
    ids = [wfbss_customer_id(number) for number in range(1, 5)]
    params = paged_server(httpserver, [page(ids[0:2], 6, 2), page(ids[1:3], 6, 2), page([], 6, 2)])
    with WfbssClient(dict(params, api_version='v2.8', validate_certs=True, ca_path=None, timeout=5, retry_backoff=0,
                          rate_limit_timeout=0)) as client:
        listed = client.list_customers()
    assert [item['id'] for item in listed] == ids[:3]
    assert len(httpserver.log) == 3


@pytest.mark.parametrize('body, what', [
    ({'customers': []}, 'no paging {total, limit}'),
    ({'customers': [], 'paging': {'total': 3, 'limit': 0}}, 'no paging {total, limit}'),
    ({'customers': [], 'paging': {'total': True, 'limit': 10}}, 'no paging {total, limit}'),
    ({'paging': {'total': 0, 'limit': 10}}, 'no customers[] list'),
    ({'customers': [{'name': 'no id'}], 'paging': {'total': 1, 'limit': 10}}, 'no customers[] list'),
])
def test_an_answer_without_its_paging_or_customers_is_refused(httpserver, body, what):
    params = paged_server(httpserver, [body])
    with WfbssClient(dict(params, api_version='v2.8', validate_certs=True, ca_path=None, timeout=5, retry_backoff=0,
                          rate_limit_timeout=0)) as client:
        with pytest.raises(ApiError) as caught:
            client.list_customers()
    assert what in str(caught.value) and 'GET /customers' in str(caught.value)
    assert caught.value.outcome_unknown is False


# ------------------------------------------------------------------ hosts and their variables
def test_host_variables_are_those_the_role_reads(simulator, wfbss_source, connection):
    seed(simulator, [{'id': wfbss_customer_id(1), 'name': 'Adatum Clinic'}])
    inventory = wfbss_source.parse(dict(connection, account='partner-north'))
    assert hosts(inventory) == {'adatum-clinic': {
        'wfbss_customer_id': wfbss_customer_id(1), 'wfbss_customer_name': 'Adatum Clinic', 'wfbss_account': 'partner-north'}}
    assert inventory.groups['wfbss_customers'].child_groups == []


def test_duplicate_and_odd_names_give_safe_unique_host_names(simulator, wfbss_source, connection):
    names = ['Acme', 'ACME', 'Müller & Söhne GmbH', "{{ lookup('pipe', 'id') }}", '株式会社', 'localhost']
    seed(simulator, [{'id': wfbss_customer_id(number), 'name': name} for number, name in enumerate(names, 1)])
    inventory = wfbss_source.parse(connection)
    short = [wfbss_customer_id(number).lower()[:8] for number in range(1, 7)]
    listed = hosts(inventory)
    assert list(listed) == ['acme-' + short[0], 'acme-' + short[1], 'muller-sohne-gmbh', 'lookup-pipe-id',
                            'customer', 'localhost-' + short[5]]
    # the vendor's text is kept as it is, and it is never templated
    assert listed['lookup-pipe-id']['wfbss_customer_name'] == "{{ lookup('pipe', 'id') }}"


def test_two_accounts_with_customers_of_the_same_name_are_two_hosts(simulator, wfbss_source, connection, monkeypatch):
    seed(simulator, [{'id': wfbss_customer_id(1), 'name': 'Acme'}], other=[{'id': wfbss_customer_id(2), 'name': 'Acme'}])
    inventory = wfbss_source.parse(dict(connection, account='a'), file_name='a.wfbss.yml')
    wfbss_source.parse(dict(connection, account='b', access_token=OTHER_TOKEN, secret_key=OTHER_SECRET),
                       inventory=inventory, file_name='b.wfbss.yml')
    assert hosts(inventory) == {
        'acme': {'wfbss_customer_id': wfbss_customer_id(1), 'wfbss_customer_name': 'Acme', 'wfbss_account': 'a'},
        'acme-' + wfbss_customer_id(2).lower()[:8]: {
            'wfbss_customer_id': wfbss_customer_id(2), 'wfbss_customer_name': 'Acme', 'wfbss_account': 'b'}}


def test_always_suffix(simulator, wfbss_source, connection):
    seed(simulator, [{'id': wfbss_customer_id(1), 'name': 'Acme'}])
    inventory = wfbss_source.parse(dict(connection, hostname_suffix='always'))
    assert list(hosts(inventory)) == ['acme-' + wfbss_customer_id(1).lower()[:8]]


def test_compose_groups_and_keyed_groups(simulator, wfbss_source, connection):
    seed(simulator, [{'id': wfbss_customer_id(1), 'name': 'Adatum Clinic'}, {'id': wfbss_customer_id(2), 'name': 'Coho'}])
    inventory = wfbss_source.parse(dict(
        connection, account='partner-north', keyed_groups=[{'key': 'wfbss_account', 'prefix': 'wfbss'}],
        groups={'clinics': "'Clinic' in wfbss_customer_name"}, compose={'label': "wfbss_customer_name | upper"}))
    assert sorted(host.name for host in inventory.groups['wfbss_partner_north'].get_hosts()) == ['adatum-clinic', 'coho']
    assert [host.name for host in inventory.groups['clinics'].get_hosts()] == ['adatum-clinic']
    assert inventory.get_host('coho').vars['label'] == 'COHO'


def test_strict_makes_a_bad_expression_an_error(simulator, wfbss_source, connection):
    seed(simulator, 1)
    wfbss_source.parse(dict(connection, compose={'x': 'no_such_variable.y'}))  # skipped without strict
    with pytest.raises(AnsibleError, match='Could not set x'):
        wfbss_source.parse(dict(connection, compose={'x': 'no_such_variable.y'}, strict=True))


# ------------------------------------------------------------------ filters
def test_name_contains_is_the_apis_q_filter(simulator, wfbss_source, connection):
    seed(simulator, [{'id': wfbss_customer_id(1), 'name': 'Adatum Clinic'}, {'id': wfbss_customer_id(2), 'name': 'Coho'},
                     {'id': wfbss_customer_id(3), 'name': 'Lucerne clinic'}])
    inventory = wfbss_source.parse(dict(connection, name_contains='Clinic'))
    assert list(hosts(inventory)) == ['adatum-clinic', 'lucerne-clinic']
    queries = [parse_qs(entry['query']) for entry in simulator.requests if entry['vendor'] == 'wfbss']
    assert queries == [{'page': ['1'], 'q': ['Clinic']}]


def test_customer_ids_and_exclusions_are_cut_here_without_regard_to_case(simulator, wfbss_source, connection):
    seed(simulator, 5)
    ids = [wfbss_customer_id(number) for number in range(1, 6)]
    inventory = wfbss_source.parse(dict(connection, customer_ids=[ids[0].lower(), ids[1], ids[2]],
                                        exclude_customer_ids=[' %s ' % ids[1].lower()]))
    assert [hostvars['wfbss_customer_id'] for hostvars in hosts(inventory).values()] == [ids[0], ids[2]]
    assert customer_pages(simulator) == ['1']


@pytest.mark.parametrize('option', ['customer_ids', 'exclude_customer_ids'])
def test_a_bad_customer_id_is_named_before_anything_is_sent(simulator, wfbss_source, connection, option):
    with pytest.raises(AnsibleParserError, match='%s item 2 is not a customer ID' % option):
        wfbss_source.parse(dict(connection, **{option: [wfbss_customer_id(1), 'not-a-guid']}))
    assert simulator.requests == []


# ------------------------------------------------------------------ credentials
def test_credentials_from_the_modules_environment_variables(simulator, wfbss_source, monkeypatch):
    monkeypatch.setenv('WFBSS_API_URL', simulator.url)
    monkeypatch.setenv('WFBSS_ACCESS_TOKEN', TOKEN)
    monkeypatch.setenv('WFBSS_SECRET_KEY', SECRET)
    assert len(hosts(wfbss_source.parse({'retries': 0}))) == 25


def test_the_accounts_mapping_gives_the_accounts_key(simulator, wfbss_source, monkeypatch):
    """The role's FLEETOPS_WFBSS_ACCOUNTS: the entry of the file's account wins over the single-account variables."""
    seed(simulator, 2, other=3)
    monkeypatch.setenv('WFBSS_API_URL', simulator.url)
    monkeypatch.setenv('WFBSS_ACCESS_TOKEN', TOKEN)
    monkeypatch.setenv('WFBSS_SECRET_KEY', SECRET)
    monkeypatch.setenv('FLEETOPS_WFBSS_ACCOUNTS', json.dumps({
        'acct-b': {'access_token': OTHER_TOKEN, 'secret_key': OTHER_SECRET}}))
    inventory = wfbss_source.parse({'account': 'acct-b', 'retries': 0})
    assert [hostvars['wfbss_customer_id'] for hostvars in hosts(inventory).values()] == [
        wfbss_customer_id(number) for number in (3, 4, 5)]
    # an account the mapping does not hold uses the single-account variables
    other = wfbss_source.parse({'account': 'acct-a', 'retries': 0})
    assert len(hosts(other)) == 2


def test_the_files_own_key_wins_over_the_accounts_mapping(simulator, wfbss_source, connection, monkeypatch):
    seed(simulator, 2, other=3)
    monkeypatch.setenv('FLEETOPS_WFBSS_ACCOUNTS', 'acct-b: {access_token: %s, secret_key: %s}' % (OTHER_TOKEN, OTHER_SECRET))
    assert len(hosts(wfbss_source.parse(dict(connection, account='acct-b')))) == 2


def test_missing_credentials_say_where_they_can_come_from(simulator, wfbss_source):
    with pytest.raises(AnsibleParserError) as caught:
        wfbss_source.parse({'api_url': simulator.url, 'account': 'partner-north', 'access_token': TOKEN})
    assert ("no secret_key: set it in the source file, in the entry for account 'partner-north' of accounts "
            "(FLEETOPS_WFBSS_ACCOUNTS), or in WFBSS_SECRET_KEY") in str(caught.value)
    assert simulator.requests == []


@pytest.mark.parametrize('accounts, message', [
    ('acct-b: {access_token: %s, secret_key: [unclosed' % OTHER_TOKEN, 'accounts (FLEETOPS_WFBSS_ACCOUNTS) is neither YAML nor JSON'),
    ('- %s' % OTHER_SECRET, 'accounts (FLEETOPS_WFBSS_ACCOUNTS) must be a mapping'),
    ('acct-b: %s' % OTHER_SECRET, "the entry for account 'acct-b' of accounts (FLEETOPS_WFBSS_ACCOUNTS) must be a mapping"),
    ('acct-b: {acces_token: %s, secret_key: %s}' % (OTHER_TOKEN, OTHER_SECRET), 'has unknown key(s) acces_token'),
])
def test_a_bad_accounts_mapping_is_named_without_its_secrets(simulator, wfbss_source, connection, monkeypatch,
                                                             accounts, message):
    monkeypatch.setenv('FLEETOPS_WFBSS_ACCOUNTS', accounts)
    with pytest.raises(AnsibleParserError) as caught:
        wfbss_source.parse(dict(connection, account='acct-b', access_token=None, secret_key=None))
    assert message in str(caught.value)
    assert OTHER_SECRET not in str(caught.value) and OTHER_TOKEN not in str(caught.value)
    assert caught.value.__cause__ is None or OTHER_SECRET not in str(caught.value.__cause__)


def test_a_wrong_secret_key_is_a_clear_error_without_the_secret(simulator, wfbss_source, connection):
    with pytest.raises(AnsibleParserError) as caught:
        wfbss_source.parse(dict(connection, secret_key='unit-wrong-secret-key'))
    text = str(caught.value)
    assert 'the WFBS-SVC customers could not be listed: GET /customers: HTTP 401, invalid signature' in text
    assert 'Check access_token and secret_key' in text
    assert 'unit-wrong-secret-key' not in text and TOKEN not in text


def test_an_unreachable_api_is_a_clear_error(wfbss_source, connection):
    with pytest.raises(AnsibleParserError, match='could not be listed: GET /customers: connection failed'):
        wfbss_source.parse(dict(connection, api_url='http://127.0.0.1:9', retries=0))


@pytest.mark.parametrize('options, message', [
    ({'acces_token': TOKEN}, 'unknown option(s) acces_token'),
    ({'timeout': 'soon'}, "Config 'timeout'"),
    ({'secret_key': ['unit-secret-in-a-list']}, 'option secret_key has a value of the wrong type (not shown: it is a secret)'),
    ({'hostname_suffix': 'sometimes'}, 'hostname_suffix'),
    ({'api_version': '../v9'}, 'api_version must be a version such as v2.8'),
    ({'api_url': 'ftp://example.com'}, 'api_url must be an http:// or https:// URL'),
    ({'timeout': 0}, 'timeout must be greater than 0'),
])
def test_a_bad_source_file_is_a_clear_error(simulator, wfbss_source, connection, options, message):
    with pytest.raises(AnsibleParserError) as caught:
        wfbss_source.parse(dict(connection, **options))
    assert message in str(caught.value)
    assert 'unit-secret-in-a-list' not in str(caught.value)
    assert simulator.requests == []


def test_a_file_for_another_plugin_is_refused(simulator, wfbss_source, tmp_path):
    path = tmp_path / 'other.wfbss.yml'
    path.write_text('plugin: fleetops.maintenance.koophone\n', encoding='utf-8')
    with pytest.raises(AnsibleParserError, match='Incorrect plugin name'):
        wfbss_source.parse(path=str(path))


@pytest.mark.parametrize('name, claimed', [
    ('north.wfbss.yml', True), ('north.wfbss.yaml', True), ('wfbss.yml', True),
    ('north.koophone.yml', False), ('northwfbss.yml', False), ('north.wfbss.json', False), ('north.yml', False),
])
def test_only_wfbss_source_files_are_claimed(tmp_path, name, claimed):
    from ansible.plugins.loader import inventory_loader
    path = tmp_path / name
    path.write_text('plugin: fleetops.maintenance.wfbss\n', encoding='utf-8')
    assert inventory_loader.get('fleetops.maintenance.wfbss').verify_file(str(path)) is claimed


# ------------------------------------------------------------------ the cache
def cached(connection, directory, **options):
    return dict(connection, cache=True, cache_plugin='ansible.builtin.jsonfile', cache_connection=str(directory), **options)


def test_the_cache_saves_the_second_listing(simulator, wfbss_source, connection, tmp_path):
    seed(simulator, 250)
    options = cached(connection, tmp_path / 'cache', account='partner-north')
    first = wfbss_source.parse(options)
    assert customer_pages(simulator) == ['1', '2', '3']
    simulator.clear_log()
    second = wfbss_source.parse(options)
    assert simulator.requests == []
    assert hosts(second) == hosts(first) and len(hosts(second)) == 250
    # the cache holds the listing, never a credential
    files = list((tmp_path / 'cache').iterdir())
    assert files and all(SECRET not in item.read_text() and TOKEN not in item.read_text() for item in files)
    # a refresh (ansible-inventory --flush-cache, meta: refresh_inventory) lists again
    wfbss_source.parse(options, cache=False)
    assert customer_pages(simulator) == ['1', '2', '3']


def test_filters_of_our_side_apply_to_the_cached_listing(simulator, wfbss_source, connection, tmp_path):
    seed(simulator, 3)
    wfbss_source.parse(cached(connection, tmp_path / 'cache'))
    simulator.clear_log()
    inventory = wfbss_source.parse(cached(connection, tmp_path / 'cache', customer_ids=[wfbss_customer_id(2)]))
    assert simulator.requests == []
    assert [hostvars['wfbss_customer_id'] for hostvars in hosts(inventory).values()] == [wfbss_customer_id(2)]


def test_a_new_api_filter_is_not_answered_from_the_cache(simulator, wfbss_source, connection, tmp_path):
    seed(simulator, [{'id': wfbss_customer_id(1), 'name': 'Adatum Clinic'}, {'id': wfbss_customer_id(2), 'name': 'Coho'}])
    wfbss_source.parse(cached(connection, tmp_path / 'cache'))
    inventory = wfbss_source.parse(cached(connection, tmp_path / 'cache', name_contains='Coho'))
    assert list(hosts(inventory)) == ['coho']
    assert customer_pages(simulator) == ['1', '1']


def test_without_the_cache_option_every_parse_lists(simulator, wfbss_source, connection):
    seed(simulator, 1)
    wfbss_source.parse(connection)
    wfbss_source.parse(connection)
    assert customer_pages(simulator) == ['1', '1']


def test_a_host_of_a_static_source_keeps_its_name(simulator, wfbss_source, connection):
    seed(simulator, [{'id': wfbss_customer_id(1), 'name': 'Gateway'}])
    inventory = InventoryData()
    inventory.add_host('gateway', group='all')
    wfbss_source.parse(connection, inventory=inventory)
    assert list(hosts(inventory)) == ['gateway-' + wfbss_customer_id(1).lower()[:8]]
    assert own_vars(inventory.get_host('gateway')) == {}
