# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The WFBS-SVC scheduled report in its three forms: the body the API takes, a form in which equal settings
compare equal, and the modules' readable words. From Trend's "create a scheduled report" page (article 041).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SCHEDULES = {'weekly': 3, 'monthly': 4}
WEEKDAYS = ('sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday')  # 0 = Sunday
# The report tables (contents[].tbl_type) of the vendor's "create a scheduled report" page.
CONTENTS = (
    ('virus_summary', 100),                     # Virus Summary
    ('top_devices_virus', 101),                 # Top 5 Devices (excluding Servers) with Virus Detections
    ('top_servers_virus', 102),                 # Top 5 Servers with Virus Detections
    ('spyware_summary', 200),                   # Spyware/Grayware Summary
    ('top_devices_spyware', 201),               # Top 5 Devices (excluding Servers) with Spyware/Grayware Detections
    ('top_servers_spyware', 202),               # Top 5 Servers with Spyware/Grayware Detections
    ('top_network_viruses', 300),               # Top 10 Network Viruses Detected
    ('top_devices_network_virus', 301),         # Top 10 Devices Attacked by Network Viruses
    ('top_devices_web_threat', 400),            # Top 10 Devices Violating Web Threat Protection Policies
    ('top_programs_behavior_monitoring', 500),  # Top 5 Programs Violating Behavior Monitoring Policies
    ('top_devices_behavior_monitoring', 501),   # Top 10 Devices Violating Behavior Monitoring Policies
    ('top_url_category_policies', 600),         # Top 5 URL Category Policies Violated
    ('top_devices_url_category', 601),          # Top 10 Devices Violating URL Category Policies
    ('top_programs_device_control', 700),       # Top 5 Programs Violating Device Control Policies
    ('top_devices_device_control', 701),        # Top 10 Devices Violating Device Control Policies
)
CONTENT_CODES = dict(CONTENTS)
CONTENT_NAMES = dict((code, name) for name, code in CONTENTS)
# comparable() keys under the names the modules use
READABLE_FIELDS = dict(type='schedule', enabled='enabled', time='time', weekday='weekday', monthday='monthday',
                       email='recipients', address='recipients', gids='group_ids', contents='contents')


def report_body(name, schedule, enabled, seconds, weekday=None, monthday=None, recipients=None, group_ids=None,
                contents=None):
    """The POST report body. ``weekday`` is a name (sunday..saturday); ``contents`` are tbl_type codes."""
    parameter = dict(time=seconds, email=1 if recipients else 0, contents=[dict(tbl_type=code) for code in contents or []])
    if schedule == 'weekly':
        parameter['weekday'] = WEEKDAYS.index(weekday)
    else:
        parameter['monthday'] = monthday
    if recipients:
        parameter['address'] = list(recipients)
    if group_ids:
        parameter['gids'] = list(group_ids)
    return dict(type=SCHEDULES[schedule], setting=dict(name=name, enabled=1 if enabled else 0, parameter=parameter))


def _parts(report):
    setting = report.get('setting') if isinstance(report.get('setting'), dict) else {}
    parameter = setting.get('parameter') if isinstance(setting.get('parameter'), dict) else {}
    return setting, parameter


def comparable(report):
    """The settings that define a report, in a form where equal settings compare equal."""
    setting, parameter = _parts(report)
    report_type = report.get('type')
    return dict(
        type=report_type,
        enabled=1 if setting.get('enabled') else 0,
        time=parameter.get('time'),
        weekday=parameter.get('weekday') if report_type == 3 else None,
        monthday=parameter.get('monthday') if report_type == 4 else None,
        email=1 if parameter.get('email') else 0,
        address=sorted(set(str(address).lower() for address in parameter.get('address') or [])),
        gids=sorted(set(parameter.get('gids') or [])),
        contents=sorted(set(item.get('tbl_type') for item in parameter.get('contents') or [] if isinstance(item, dict))),
    )


def differences(existing, wanted):
    """The option names whose values differ between two reports (sorted, without duplicates)."""
    have, want = comparable(existing), comparable(wanted)
    return sorted(set(READABLE_FIELDS[key] for key in have if have[key] != want[key]))


def format_time(seconds):
    """"HH:MM" (or "HH:MM:SS" when the API holds seconds) from seconds since midnight."""
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        return None
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return '%02d:%02d:%02d' % (hours, minutes, secs) if secs else '%02d:%02d' % (hours, minutes)


def readable_report(report):
    """A report (from the API or a body to send) in the modules' words."""
    setting, parameter = _parts(report)
    report_type = report.get('type')
    weekday = parameter.get('weekday')
    schedules = dict((code, name) for name, code in SCHEDULES.items())
    return dict(
        rtid=report.get('rtid'),
        name=setting.get('name'),
        schedule=schedules.get(report_type, report_type),
        weekday=WEEKDAYS[weekday] if report_type == 3 and weekday in range(7) else None,
        monthday=parameter.get('monthday') if report_type == 4 else None,
        time=format_time(parameter.get('time')),
        enabled=bool(setting.get('enabled')),
        recipients=list(parameter.get('address') or []),
        group_ids=list(parameter.get('gids') or []),
        contents=[CONTENT_NAMES.get(item.get('tbl_type'), item.get('tbl_type'))
                  for item in parameter.get('contents') or [] if isinstance(item, dict)],
        history_count=report.get('number'),
    )


def diff_form(report):
    """A report as the module's diff shows it: readable, without its id and history count."""
    form = readable_report(report)
    form.pop('rtid')
    form.pop('history_count')
    return form
