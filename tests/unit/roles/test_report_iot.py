# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The run report names the devices the tenants do not know, tenant by tenant, and the Markdown summary caps them."""

from __future__ import annotations

from ansible_collections.fleetops.maintenance.plugins.plugin_utils import fleet_report, iot_summary, report_markdown


def build(results, check_mode=False):
    chore = iot_summary.summarize(results, [], check_mode)
    return fleet_report.build([chore], check_mode)


def result(host, sent, unknown_count):
    return dict(item=dict(host=host, customer_id=host, source='devices.csv'), changed=True,
                device_count=sent + unknown_count, batch_count=1, sent_device_count=sent, updated_device_count=sent,
                unmatched_device_count=0, batches=[dict(index=1, sent=sent, updated=sent)],
                unmatched_devices=[dict(position=n, ip_address='10.99.%d.%d' % (n // 250, n % 250 + 1), ipv6_address=None)
                                   for n in range(unknown_count)])


def unmatched_rows(rows):
    return [(row['group'], row['item_id']) for row in rows if row['outcome'] == 'not matched']


def test_unknown_devices_are_named_with_their_tenant():
    report, rows = build([result('tenant1', 5, 2), result('tenant2', 3, 0)])
    assert unmatched_rows(rows) == [('tenant1', '10.99.0.1'), ('tenant1', '10.99.0.2')]
    text = report_markdown.render(report)
    assert '`10.99.0.1`' in text and '`10.99.0.2`' in text
    assert 'more failed item(s) are not listed here' not in text


def test_a_long_list_is_capped_in_the_summary_with_a_count():
    report, rows = build([result('tenant1', 5, 250)], check_mode=True)
    assert len(unmatched_rows(rows)) == 250, 'every device is in the rows (HTML, CSV)'
    text = report_markdown.render(report)
    assert text.count('`10.99.') == 200
    assert '50 more failed item(s) are not listed here' in text


def test_no_unmatched_rows_without_unknown_devices():
    report, rows = build([result('tenant1', 5, 0)])
    assert unmatched_rows(rows) == [] and '`10.99.' not in report_markdown.render(report)
