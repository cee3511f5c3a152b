# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The run report's data (rows, aggregates, failures by cause), its four files, and the fleet's data check."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re

from ansible_collections.fleetops.maintenance.plugins.plugin_utils import (
    fleet_report,
    report_csv,
    report_data,
    report_files,
    report_html,
    report_markdown,
)

GUID_1 = '469C4044-3C3C-5AD3-ABA0-4DECFFE8BDF6'
GUID_2 = '136E362A-904F-57CD-B3FE-2B4DCDDFA8AC'
FORBIDDEN = 'POST /v1/commands/reset: HTTP 403, 1002 Access denied (request id r-1)'


def customer(cid, account, failed=False, problems=(), resets=(), reports=(), name=None):
    return dict(id=cid, name=name or cid, account=account, failed=failed, problems=list(problems), resets=list(resets),
                reports=list(reports))


def wfbss_chore(customers, check_mode=False, failures=()):
    return dict(chore='wfbss', title='Trend Micro WFBS-SVC', status='failed' if failures else 'ok', changed=True,
                check_mode=check_mode, headline='WFBS-SVC: %d customers' % len(customers), customers=customers,
                failures=list(failures))


def koophone_chore(instances, check_mode=False, failures=()):
    return dict(chore='koophone', title='Huawei Cloud KooPhone', status='failed' if failures else 'ok', changed=True,
                check_mode=check_mode, headline='KooPhone', instances=instances, failures=list(failures))


def phone(iid, wave, outcome, reason='', job_id=None):
    return dict(instance_id=iid, wave=wave, outcome=outcome, reason=reason, job_id=job_id)


MOMENT = datetime.datetime(2026, 12, 3, 11, 0, 30)


def test_aggregates_per_account_and_wave_and_totals():
    chores = [
        wfbss_chore([customer('A', 'north', resets=[dict(type='counter', task_id='t-1')]),
                     customer('B', 'north', failed=True, problems=['reset counter: not sent - ' + FORBIDDEN]),
                     customer('C', 'south')],
                    failures=[dict(scope='account north', step='reset counter', msg=FORBIDDEN, customers=['B'])]),
        koophone_chore([phone('p1', 1, 'reset', job_id='j1'), phone('p2', 1, 'failed', 'KOOPHONE.API.9999 reset failed'),
                        phone('p3', 2, 'reset'), phone('p4', None, 'skipped', 'frozen'), phone('p5', 2, 'held back', 'x')]),
    ]
    report, rows = fleet_report.build(chores, False, now=MOMENT, started_at='2026-12-03T11:00:00Z')
    wfbss, koophone = report['vendors']
    assert wfbss['totals'] == {'changed': 1, 'failed': 1, 'unchanged': 1} and wfbss['items'] == 3
    assert {group['group']: group['outcomes'] for group in wfbss['groups']} == {
        'north': {'changed': 1, 'failed': 1}, 'south': {'unchanged': 1}}
    assert {group['group']: group['items'] for group in koophone['groups']} == {'wave 1': 2, 'wave 2': 2, 'no wave': 1}
    assert {entry['label']: entry['values'] for entry in koophone['picture']}['wave 2'] == {
        'reset': 1, 'failed': 0, 'skipped': 0, 'held back': 1}
    assert (report['started_at'], report['finished_at'], report['duration_seconds']) == (
        '2026-12-03T11:00:00Z', '2026-12-03T11:00:30Z', 30.0)
    assert report['format_version'] == 2 and report['mode'] == 'live'
    assert [row['task_id'] for row in rows if row['vendor'] == 'wfbss'] == ['t-1', '', '']
    assert rows[3] == dict(vendor='koophone', item_id='p1', name='', group='wave 1', action='reset', outcome='reset',
                           reason='', task_id='j1')


def test_failures_are_grouped_by_cause_with_the_vendor_code_and_what_to_do():
    chores = [
        wfbss_chore([customer(cid, 'north', failed=True, problems=['reset counter: not sent - ' + FORBIDDEN])
                     for cid in ('A', 'B')] + [customer('C', 'north')],
                    failures=[dict(scope='account north', step='reset counter', msg=FORBIDDEN, customers=['A', 'B']),
                              dict(scope='chore', step='Keep the module results', msg='something broke')]),
        koophone_chore([phone('p1', 1, 'failed', 'KOOPHONE.API.9999 reset failed'),
                        phone('p2', 1, 'failed', 'KOOPHONE.API.9999 reset failed'),
                        phone('p3', 1, 'outcome unknown', 'HTTP 504')]),
    ]
    report = fleet_report.report(chores, False)
    groups = report['failure_groups']
    assert [(g['vendor'], g['outcome'], g['code'], g['count']) for g in groups] == [
        ('wfbss', 'failed', 'HTTP 403 (vendor code 1002)', 2), ('koophone', 'failed', 'KOOPHONE.API.9999', 2),
        ('koophone', 'outcome unknown', 'HTTP 504', 1), ('wfbss', 'failed', '', 0)]
    assert [item['item_id'] for item in groups[0]['items']] == ['A', 'B'] and groups[0]['scopes'] == ['north']
    assert '(request id' not in groups[0]['message'], 'the request id differs per call: it must not split a cause'
    assert 'credentials' in groups[0]['advice'] and 'check these items' in groups[2]['advice']
    assert groups[3]['message'] == 'something broke', 'a failure that names no item is a cause of its own'


def test_the_markdown_lists_200_failed_items_then_a_count_and_where_the_rest_are():
    instances = [phone('p%05d' % n, 1 + n // 50, 'failed', 'KOOPHONE.API.%d broke' % (n % 3)) for n in range(450)]
    report = fleet_report.report([koophone_chore(instances)], False)
    shown, hidden = report_data.failure_listing(report['failure_groups'])
    assert sum(len(group['items']) for group in shown) == 200 and hidden == 250
    markdown = report_markdown.render(report)
    listed = re.findall(r'`(p\d{5})`', markdown)
    assert len(listed) == 200 and len(set(listed)) == 200
    assert '250 more failed item(s) are not listed here' in markdown and 'fleet-items.csv' in markdown
    exactly = fleet_report.report([koophone_chore(instances[:200])], False)
    assert 'not listed here' not in report_markdown.render(exactly)


def test_csv_quotes_commas_quotes_newlines_and_defuses_formulas():
    names = ['Acme, Inc', 'The "Best" Shop', 'two\nlines', '=HYPERLINK("http://x")', '+1', '-1', '@SUM(A1)', 'plain']
    chores = [wfbss_chore([customer('C%d' % n, 'north', name=name) for n, name in enumerate(names)])]
    report, rows = fleet_report.build(chores, False)
    stream = io.StringIO()
    report_csv.write(stream, rows)
    text = stream.getvalue()
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == list(report_csv.HEADER)
    assert [row[2] for row in parsed[1:]] == [
        'Acme, Inc', 'The "Best" Shop', 'two\nlines', "'=HYPERLINK(\"http://x\")", "'+1", "'-1", "'@SUM(A1)", 'plain']
    assert '"The ""Best"" Shop"' in text and all(len(row) == 8 for row in parsed)


def test_a_check_run_is_labelled_a_plan_everywhere():
    chores = [wfbss_chore([customer('A', 'north', resets=[dict(type='counter')])], check_mode=True)]
    report, rows = fleet_report.build(chores, True)
    assert report['mode'] == 'plan' and report['check_mode'] is True and report['note'] == fleet_report.CHECK_MODE_NOTE
    assert rows[0]['outcome'] == 'would change' and report_data.status_class('would change') == 'planned'
    assert 'PLAN - check run: nothing was changed' in report_markdown.render(report)
    html = report_html.render(report, rows)
    assert 'id="plan-label"' in html and 'nothing was changed' in html
    live = fleet_report.build([wfbss_chore([customer('A', 'north')])], False)
    assert 'id="plan-label"' not in report_html.render(*live)


def test_the_html_is_self_contained_and_its_data_cannot_end_the_script():
    chores = [wfbss_chore([customer('A', 'north', name='</script><script>alert(1)</script>')])]
    report, rows = fleet_report.build(chores, False)
    html = report_html.render(report, rows)
    assert html.count('</script>') == 2, 'only the data and the code elements end'
    assert not re.search(r'(src|href)="(https?:)?//', html), 'nothing is fetched'
    data = json.loads(re.search(r'<script type="application/json" id="fleet-rows">(.*?)</script>', html).group(1))
    assert data['rows']['wfbss'][0][1] == '</script><script>alert(1)</script>'
    assert '<svg' in html and '<table' in html and '<label>Search' in html


def test_unmatched_iot_devices_get_a_row_each_when_the_summary_has_them():
    tenant = dict(tenant='acme', api='legacy', customer_id='acme', tsg_id=None, devices=3, sent=3, updated=2, unmatched=1,
                  batches=[dict(index=1, sent=3, updated=2)], batch_count=1, failed=False, failed_batch=None)
    other = dict(tenant, tenant='beta', customer_id='beta')
    # as iot_summary gives them: one list for the chore, each device naming its tenant
    unmatched = [dict(tenant='acme', ip_address='10.0.0.9', ipv6_address=None, reason='not in the tenant')]
    chore = dict(chore='iot', title='IoT', status='ok', changed=True, check_mode=False, headline='IoT', tenants=[tenant, other],
                 unmatched_devices=unmatched, failures=[])
    report, rows = fleet_report.build([chore], False)
    assert [(row['item_id'], row['group'], row['outcome']) for row in rows] == [
        ('acme', 'acme', 'sent'), ('10.0.0.9', 'acme', 'not matched'), ('beta', 'beta', 'sent')]
    values = {'updated': 2, 'unmatched': 1, 'sent, not confirmed': 0}
    assert report['vendors'][0]['picture'][0] == dict(label='acme #1', values=values)


def test_the_four_files_are_written_and_copied(tmp_path):
    report, rows = fleet_report.build([wfbss_chore([customer('A', 'north')])], False)
    paths = report_files.write(str(tmp_path / 'report'), report, rows)
    assert [p.rsplit('/', 1)[1] for p in paths] == list(report_files.FILES)
    assert json.loads((tmp_path / 'report' / 'fleet-report.json').read_text())['vendors'][0]['items'] == 1
    copies = report_files.copy(paths, str(tmp_path / 'kept'))
    assert sorted(p.name for p in (tmp_path / 'kept').iterdir()) == sorted(report_files.FILES) and len(copies) == 4
    assert not [p for p in (tmp_path / 'report').iterdir() if p.name.startswith('.')], 'no temporary file is left'


# The fleet's data: every host with a missing, malformed or duplicate id named once, the others kept.
BAD_FLEET = {
    'cust-001': dict(wfbss_customer_id=GUID_1),
    'cust-002': dict(wfbss_customer_id='not-a-guid'),
    'cust-003': dict(wfbss_customer_name='No id'),
    'cust-004': dict(wfbss_customer_id=12345),
    'cust-005': dict(wfbss_customer_id=GUID_1.lower()),
    'cust-006': dict(wfbss_customer_id=GUID_2),
    'phone-1': dict(koophone_instance_id='a' * 33),
    'res-1': dict(altcraft_resource_id='1_0'),
    'tenant-1': dict(iot_tsg_id='15x'),
}


GROUPS = dict(wfbss_customers=[host for host in BAD_FLEET if host.startswith('cust-')], koophone_instances=['phone-1'],
              altcraft_resources=['res-1'], iot_tenants=['tenant-1'])


def test_every_bad_host_is_named_with_its_value_and_reason_and_the_rest_go_ahead():
    hosts = list(BAD_FLEET)
    found = fleet_report.members(hosts, BAD_FLEET, 'wfbss', rejected=True, groups=GROUPS)
    assert [member['host'] for member in found['members']] == ['cust-001', 'cust-006']
    assert [(bad['host'], bad['value'], bad['reason'].split(' (')[0]) for bad in found['rejected']] == [
        ('cust-002', 'not-a-guid', 'is not a customer ID'), ('cust-003', None, 'is missing'),
        ('cust-004', 12345, 'is not a customer ID'), ('cust-005', GUID_1.lower(), 'is the same as that of cust-001')]
    assert fleet_report.members(hosts, BAD_FLEET, 'wfbss') == found['members'], 'the plain call keeps its shape'
    others = [fleet_report.members(hosts, BAD_FLEET, kind, rejected=True, groups=GROUPS)['rejected'][0]
              for kind in ('koophone', 'altcraft', 'iot')]
    assert [(bad['host'], bad['variable']) for bad in others] == [
        ('phone-1', 'koophone_instance_id'), ('res-1', 'altcraft_resource_id'), ('tenant-1', 'iot_tsg_id')]


def test_a_bad_host_is_one_failure_of_the_run_and_one_row():
    rejected = fleet_report.members(list(BAD_FLEET), BAD_FLEET, 'wfbss', rejected=True, groups=GROUPS)['rejected']
    report, rows = fleet_report.build([wfbss_chore([customer(GUID_1, 'north')])], False, rejected=rejected)
    assert report['status'] == 'failed' and len(report['failures']) == 4
    assert [failure['msg'].split(':')[0] for failure in report['failures']] == ['cust-002', 'cust-003', 'cust-004', 'cust-005']
    groups = [group for group in report['failure_groups'] if group['outcome'] == 'rejected']
    assert sum(group['count'] for group in groups) == 4 and len(report['failure_groups']) == len(groups)
    assert [row['name'] for row in rows if row['outcome'] == 'rejected'] == ['cust-002', 'cust-003', 'cust-004', 'cust-005']
