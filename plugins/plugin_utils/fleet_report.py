# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Who is in the fleet (from the inventory), and the run report that gathers what every chore did."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import posixpath

FORMAT_VERSION = 1
CHECK_MODE_NOTE = 'check mode: nothing was written to any API; this report shows what would be done'
YAML_EXTENSIONS = ('yml', 'yaml')


def members(play_hosts, hostvars, kind, default_account=None, default_list_ids=None, base_dir='.'):
    """The fleet members of one kind among the play's hosts, in play order.

    ``wfbss``: customers {host, id, name, account}; ``koophone``: instance ids (without repeats, first place kept);
    ``iot``: tenants {host, api (scm or legacy), tsg_id, customer_id, source, path, format} (a host with
    ``iot_tsg_id`` is a Strata Cloud Manager tenant); ``altcraft``: {host, resource_id, list_id} for every
    database of every resource.
    """
    hosts = [(host, hostvars[host]) for host in play_hosts]
    if kind == 'wfbss':
        return [dict(host=host, id=str(hv['wfbss_customer_id']).upper(), name=hv.get('wfbss_customer_name', host),
                     account=hv.get('wfbss_account', default_account))
                for host, hv in hosts if 'wfbss_customer_id' in hv]
    if kind == 'koophone':
        ids = [str(hv['koophone_instance_id']) for host, hv in hosts if 'koophone_instance_id' in hv]
        return list(dict.fromkeys(ids))
    if kind == 'iot':
        return [_iot_tenant(host, hv, base_dir) for host, hv in hosts if 'iot_tsg_id' in hv or 'iot_customer_id' in hv]
    if kind == 'altcraft':
        return [dict(host=host, resource_id=int(hv['altcraft_resource_id']), list_id=int(list_id))
                for host, hv in hosts if 'altcraft_resource_id' in hv
                for list_id in hv.get('altcraft_list_ids', default_list_ids or [])]
    raise ValueError('unknown kind of fleet member %r (wfbss, koophone, iot, altcraft)' % (kind,))


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


def report(chores, check_mode, limit=None, awx_job_id=None, now=None):
    """The run report from the chores' report entries (those that ran, in the order given)."""
    chores = [chore for chore in chores if chore]
    failures = [dict(failure, chore=chore['chore']) for chore in chores
                for failure in chore.get('failures') or [] if not failure.get('tolerated')]
    moment = now or datetime.datetime.now(datetime.timezone.utc)
    return dict(
        report='fleetops.maintenance fleet run', format_version=FORMAT_VERSION,
        generated_at=moment.strftime('%Y-%m-%dT%H:%M:%SZ'), check_mode=bool(check_mode),
        note=CHECK_MODE_NOTE if check_mode else None, status='failed' if failures else 'ok',
        changed=any(chore.get('changed') for chore in chores), limit=limit or None, awx_job_id=awx_job_id or None,
        chores=chores, failures=failures,
    )
