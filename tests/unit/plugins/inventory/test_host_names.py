# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How the inventory plugins name hosts: safe names, unique even when members share a name, whatever the order."""

from __future__ import annotations

import itertools

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput
from ansible_collections.fleetops.maintenance.plugins.plugin_utils.inventory import host_names, slug

A = '640FE47F-5118-4D79-8221-A35D0DE2EE2C'
B = '549390C2-0BB4-4E58-A2E4-64F2C0AE86D0'
C = '640FE47F-0000-4000-8000-000000000001'  # the same first 8 characters as A


@pytest.mark.parametrize('label, expected', [
    ('Adatum Clinic', 'adatum-clinic'),
    ('Müller & Söhne GmbH', 'muller-sohne-gmbh'),
    ('  Coho -- Hotels!  ', 'coho-hotels'),
    ('north/south:east,west', 'north-south-east-west'),
    ("{{ lookup('pipe', 'id') }}", 'lookup-pipe-id'),
    ('web[01:09]*', 'web-01-09'),
    ('株式会社', ''),
    ('', ''),
    (None, ''),
    ('x' * 60, 'x' * 48),
    ('a' * 47 + ' b', 'a' * 47),  # cut at 48, no trailing hyphen
])
def test_slug_keeps_letters_digits_and_single_hyphens(label, expected):
    assert slug(label) == expected


def test_unique_names_are_the_slugs():
    assert host_names([(A, 'Adatum Clinic'), (B, 'Coho Hotels')], 'customer') == {A: 'adatum-clinic', B: 'coho-hotels'}


def test_a_shared_name_gets_a_short_suffix_from_each_id():
    names = host_names([(A, 'Acme'), (B, 'ACME'), ('F00D0000-0000-4000-8000-000000000000', 'Other')], 'customer')
    assert names == {A: 'acme-640fe47f', B: 'acme-549390c2', 'F00D0000-0000-4000-8000-000000000000': 'other'}


def test_the_names_do_not_depend_on_the_order():
    members = [(A, 'Acme'), (B, 'Acme'), (C, 'Acme'), ('F00D0000-0000-4000-8000-000000000000', 'acme 640fe47f')]
    expected = host_names(members, 'customer')
    for order in itertools.permutations(members):
        assert host_names(list(order), 'customer') == expected
    assert len(set(expected.values())) == len(members)


def test_the_whole_id_when_the_short_suffix_clashes_too():
    names = host_names([(A, 'Acme'), (C, 'Acme'), (B, 'Acme')], 'customer')
    assert names == {A: 'acme-640fe47f-5118-4d79-8221-a35d0de2ee2c', C: 'acme-640fe47f-0000-4000-8000-000000000001',
                     B: 'acme-549390c2'}


def test_a_name_that_equals_another_members_suffixed_name_is_suffixed_as_well():
    names = host_names([(A, 'Acme'), (B, 'Acme'), ('F00D0000-0000-4000-8000-000000000000', 'acme-640fe47f')], 'customer')
    assert len(set(names.values())) == 3
    assert names['F00D0000-0000-4000-8000-000000000000'] == 'acme-640fe47f-f00d0000'


def test_nothing_left_of_the_name_uses_the_fallback():
    names = host_names([(A, '株式会社'), (B, '')], 'customer')
    assert names == {A: 'customer-640fe47f', B: 'customer-549390c2'}
    assert host_names([(A, '***')], 'customer') == {A: 'customer'}


def test_always_suffix():
    assert host_names([(A, 'Acme'), (B, 'Coho')], 'customer', always_suffix=True) == {
        A: 'acme-640fe47f', B: 'coho-549390c2'}


def test_a_name_held_by_another_sources_host_is_suffixed():
    held = {'acme': B, 'coho': A}
    names = host_names([(A, 'Acme'), (A.lower() + 'x', 'Zeta')], 'customer', owner_of=held.get)
    assert names[A] == 'acme-640fe47f'
    # the same member listed again (a second source, a refresh) keeps its name
    assert host_names([(A, 'Coho')], 'customer', owner_of=held.get) == {A: 'coho'}


def test_a_host_that_is_no_member_holds_its_name():
    assert host_names([(A, 'localhost')], 'customer', owner_of=lambda name: '' if name == 'localhost' else None) == {
        A: 'localhost-640fe47f'}


def test_ids_that_give_the_same_name_at_every_level_are_refused():
    with pytest.raises(InvalidInput, match='no unique host name'):
        host_names([('ab-c', 'x'), ('AB-C', 'x')], 'phone')
