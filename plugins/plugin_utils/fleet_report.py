# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Who is in the fleet (from the inventory), and the run report that gathers what every chore did."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import posixpath
import re

from ansible_collections.fleetops.maintenance.plugins.module_utils.koophone import MAX_ID_LENGTH
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss_options import GUID_RE
from ansible_collections.fleetops.maintenance.plugins.plugin_utils import report_data

# 2: adds started_at, finished_at, duration_seconds, mode, rejected, vendors and failure_groups (docs/run-report.md).
FORMAT_VERSION = 2
PLAN_LABEL = 'PLAN - check run: nothing was changed'
CHECK_MODE_NOTE = 'check mode: nothing was written to any API; this report shows what would be done'
YAML_EXTENSIONS = ('yml', 'yaml')
# The id variable of each kind of fleet member, and the inventory group whose hosts must have it.
ID_VARIABLES = dict(wfbss='wfbss_customer_id', koophone='koophone_instance_id', iot=('iot_tsg_id', 'iot_customer_id'),
                    altcraft='altcraft_resource_id')
MEMBER_GROUPS = dict(wfbss='wfbss_customers', koophone='koophone_instances', iot='iot_tenants',
                     altcraft='altcraft_resources')
DIGITS_RE = re.compile(r'^[0-9]+$')
# Every host variable members() reads: the ids and their companions.
MEMBER_VARIABLES = ('wfbss_customer_id', 'wfbss_customer_name', 'wfbss_account', 'koophone_instance_id', 'iot_tsg_id',
                    'iot_customer_id', 'iot_devices_source', 'inventory_dir', 'altcraft_resource_id', 'altcraft_list_ids')


def member_vars(play_hosts, hostvars, groups):
    """{host: {variable: value}} of the variables members() reads (MEMBER_VARIABLES, those the host has), for the play's
    hosts of the fleet's inventory groups (MEMBER_GROUPS).

    Reading a host's variables (hostvars[host]) is what a pass over a big inventory costs: this reads each host once,
    and members() then takes the hosts it holds from here instead of from hostvars.
    """
    in_groups = set()
    for group in MEMBER_GROUPS.values():
        in_groups.update(groups.get(group) or [])
    found = {}
    for host in play_hosts:
        if host in in_groups and host not in found:
            variables = hostvars[host]
            found[host] = dict((name, variables[name]) for name in MEMBER_VARIABLES if name in variables)
    return found


def members(play_hosts, hostvars, kind, default_account=None, default_list_ids=None, base_dir='.', rejected=False,
            groups=None, known=None):
    """The fleet members of one kind among the play's hosts, in play order; hosts with a bad id are left out.

    ``wfbss``: customers {host, id, name, account}; ``koophone``: instance ids; ``iot``: tenants {host, api (scm or
    legacy), tsg_id, customer_id, source, path, format} (a host with ``iot_tsg_id`` is a Strata Cloud Manager tenant);
    ``altcraft``: {host, resource_id, list_id} for every database of every resource.

    With ``rejected``: {members, rejected}, where every play host without a valid id of its own (missing, malformed,
    or the same as an earlier host's) is named once: {host, kind, group, variable, value, reason}.
    With ``groups`` (the inventory's groups): only the play hosts of the kind's inventory group (MEMBER_GROUPS) are
    looked at (without reading the variables of the others: that is what takes time in a big inventory).
    With ``known`` (what member_vars returned): the hosts it holds are read from it, the others from hostvars.
    """
    if kind not in ID_VARIABLES:
        raise ValueError('unknown kind of fleet member %r (wfbss, koophone, iot, altcraft)' % (kind,))
    valid, bad, seen = [], [], {}
    if groups is not None:
        in_group = set(groups.get(MEMBER_GROUPS[kind]) or [])
        play_hosts = [host for host in play_hosts if host in in_group]
    known = known or {}
    for host in play_hosts:
        hostvars_ = known[host] if host in known else hostvars[host]
        variable, value = _id_variable(kind, hostvars_)
        if variable is None:
            if rejected:
                bad.append(_rejected(host, kind, ID_VARIABLES[kind], None, 'is missing'))
            continue
        key, problem = _check_id(kind, variable, value)
        if problem is None and kind == 'altcraft':
            problem = _check_list_ids(hostvars_.get('altcraft_list_ids', default_list_ids or []))
            variable = 'altcraft_list_ids' if problem else variable
            value = hostvars_.get('altcraft_list_ids') if problem else value
        if problem is None and key in seen:
            problem = 'is the same as that of %s (%s)' % (seen[key], value)
        if problem:
            bad.append(_rejected(host, kind, variable, value, problem))
            continue
        seen[key] = host
        valid.append((host, hostvars_))
    found = _members(valid, kind, default_account, default_list_ids, base_dir)
    return dict(members=found, rejected=bad) if rejected else found


def _members(hosts, kind, default_account, default_list_ids, base_dir):
    if kind == 'wfbss':
        return [dict(host=host, id=str(hv['wfbss_customer_id']).strip().upper(), name=hv.get('wfbss_customer_name', host),
                     account=hv.get('wfbss_account', default_account)) for host, hv in hosts]
    if kind == 'koophone':
        return [str(hv['koophone_instance_id']).strip() for host, hv in hosts]
    if kind == 'iot':
        return [_iot_tenant(host, hv, base_dir) for host, hv in hosts]
    return [dict(host=host, resource_id=int(hv['altcraft_resource_id']), list_id=int(list_id))
            for host, hv in hosts for list_id in hv.get('altcraft_list_ids', default_list_ids or [])]


def _id_variable(kind, hostvars):
    """(variable, value) of the host's id, or (None, None) when it has none."""
    names = ID_VARIABLES[kind]
    for name in names if isinstance(names, tuple) else (names,):
        if name in hostvars and hostvars[name] is not None:
            return name, hostvars[name]
    return None, None


def _check_id(kind, variable, value):
    """(the id as compared for repeats, None) or (None, why the value is not an id of this kind)."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if kind == 'wfbss':
        if not isinstance(value, str) or not GUID_RE.match(text):
            return None, 'is not a customer ID (a GUID such as 640FE47F-5118-4D79-8221-A35D0DE2EE2C)'
        return text.upper(), None
    if not text:
        return None, 'is empty' if text == '' else 'is not a string or a number'
    if kind == 'koophone' and len(text) > MAX_ID_LENGTH:
        return None, 'is %d characters long; the vendor allows at most %d' % (len(text), MAX_ID_LENGTH)
    if kind == 'altcraft' and (not DIGITS_RE.match(text) or int(text) < 1):
        return None, 'is not a positive whole number'
    if variable == 'iot_tsg_id' and not DIGITS_RE.match(text):
        return None, 'is not a tenant service group id (digits only)'
    return text, None


def _check_list_ids(list_ids):
    if not isinstance(list_ids, list) or not all(
            DIGITS_RE.match(str(item).strip()) and int(item) > 0 and not isinstance(item, bool) for item in list_ids):
        return 'is not a list of positive whole numbers'
    return None


def _rejected(host, kind, variable, value, reason):
    if value is not None and not isinstance(value, (str, int, float, bool)):
        value = repr(value)
    return dict(host=host, kind=kind, group=MEMBER_GROUPS[kind], variable=variable, value=value, reason=reason)


def _iot_tenant(host, hostvars, base_dir):
    """A tenant and its source of truth; a relative source is taken from the inventory's directory."""
    source = str(hostvars.get('iot_devices_source', ''))
    path = source
    if source and not source.startswith('/'):
        path = posixpath.normpath(posixpath.join(hostvars.get('inventory_dir') or base_dir, source))
    extension = path.rsplit('.', 1)[-1].lower() if '.' in path else ''
    scm = 'iot_tsg_id' in hostvars
    return dict(host=host, api='scm' if scm else 'legacy', tsg_id=str(hostvars['iot_tsg_id']) if scm else None,
                customer_id=None if scm else str(hostvars['iot_customer_id']), source=source, path=path,
                format='yaml' if extension in YAML_EXTENSIONS else 'file')


def report(chores, check_mode, limit=None, awx_job_id=None, now=None, started_at=None, rejected=None):
    """The run report (fleet-report.json) from the chores' report entries (those that ran, in the order given)."""
    return build(chores, check_mode, limit, awx_job_id, now, started_at, rejected)[0]


def build(chores, check_mode, limit=None, awx_job_id=None, now=None, started_at=None, rejected=None):
    """(the run report, its item rows) from the chores' report entries (those that ran, in the order given).

    ``rejected``: the hosts the fleet's data check left out (see members); each is a failure of the run, once.
    ``started_at``: when the run started (ISO 8601, UTC), for its duration.
    """
    chores = [chore for chore in chores if chore]
    rejected = list(rejected or [])
    failures = [dict(scope='host %s' % entry['host'], step='check the inventory', chore=entry['kind'],
                     msg='%s: %s %s' % (entry['host'], entry['variable'], entry['reason']), host=entry['host'],
                     value=entry['value'])
                for entry in rejected]
    failures += [dict(failure, chore=chore['chore']) for chore in chores
                 for failure in chore.get('failures') or [] if not failure.get('tolerated')]
    moment = now or datetime.datetime.now(datetime.timezone.utc)
    started = _parse_time(started_at)
    rows = report_data.item_rows(chores, rejected)
    return dict(
        report='fleetops.maintenance fleet run', format_version=FORMAT_VERSION,
        generated_at=_iso(moment), started_at=_iso(started) if started else None, finished_at=_iso(moment),
        duration_seconds=round((moment.replace(tzinfo=None) - started.replace(tzinfo=None)).total_seconds(), 1)
        if started else None,
        check_mode=bool(check_mode), mode='plan' if check_mode else 'live',
        note=CHECK_MODE_NOTE if check_mode else None, status='failed' if failures else 'ok',
        changed=any(chore.get('changed') for chore in chores), limit=limit or None, awx_job_id=awx_job_id or None,
        vendors=report_data.vendor_overviews(chores, rows, rejected),
        failure_groups=report_data.failure_groups(rows, failures),
        rejected=rejected, chores=chores, failures=failures,
    ), rows


def _iso(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def _parse_time(text):
    """A UTC moment from ISO 8601 text (with Z or an offset), or None."""
    if not text:
        return None
    if isinstance(text, datetime.datetime):
        return text
    value = datetime.datetime.strptime(str(text)[:19], '%Y-%m-%dT%H:%M:%S')
    return value
