# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Markdown run report's IoT Security section names the devices the tenants do not know, capped."""

from __future__ import annotations

import os

import jinja2

from ansible_collections.fleetops.maintenance.plugins.plugin_utils import fleet_report, iot_summary

TEMPLATE = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles', 'fleet_maintenance', 'templates', 'report.md.j2')


def render(results, check_mode=False):
    # as ansible.builtin.template renders it: trim_blocks on, lstrip_blocks off
    environment = jinja2.Environment(trim_blocks=True, undefined=jinja2.StrictUndefined)
    with open(TEMPLATE) as handle:
        template = environment.from_string(handle.read())
    chore = iot_summary.summarize(results, [], check_mode)
    return template.render(fleet_maintenance__report=fleet_report.report([chore], check_mode))


def result(host, sent, unknown_count):
    return dict(item=dict(host=host, customer_id=host, source='devices.csv'), changed=True,
                device_count=sent + unknown_count, batch_count=1, sent_device_count=sent, updated_device_count=sent,
                unmatched_device_count=0, batches=[dict(index=1, sent=sent, updated=sent)],
                unmatched_devices=[dict(position=n, ip_address='10.99.%d.%d' % (n // 250, n % 250 + 1), ipv6_address=None)
                                   for n in range(unknown_count)])


def test_unknown_devices_are_listed_by_tenant():
    text = render([result('tenant1', 5, 2), result('tenant2', 3, 0)])
    assert 'Devices the tenants do not know (not sent):' in text
    assert '| tenant1 | 10.99.0.1 | - |' in text and '| tenant1 | 10.99.0.2 | - |' in text
    assert '| tenant2 |' not in text.split('Devices the tenants do not know')[1]
    assert 'more (all of them' not in text


def test_a_long_list_is_capped_with_a_count():
    text = render([result('tenant1', 5, 250)], check_mode=True)
    assert 'Devices the tenants do not know (would not be sent), the first 200 of 250:' in text
    assert text.count('| tenant1 | 10.99.') == 200
    assert '... and 50 more' in text


def test_no_section_without_unknown_devices():
    assert 'Devices the tenants do not know' not in render([result('tenant1', 5, 0)])
