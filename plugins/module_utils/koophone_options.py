# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Huawei Cloud KooPhone for the modules: the connection options (documented in the fleetops.maintenance.koophone
doc fragment), the one-kind-of-credentials rule, and the checks of instance ids. Checks return the value or raise
InvalidInput naming the option.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import env_fallback

from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput, finite, http_url, unique
from ansible_collections.fleetops.maintenance.plugins.module_utils.common import Vendor
from ansible_collections.fleetops.maintenance.plugins.module_utils.koophone import (
    AKSK,
    AKSK_OPTIONS,
    IAM_LOGIN,
    IAM_OPTIONS,
    MAX_BATCH,
    MAX_ID_LENGTH,
    KooPhoneClient,
    credential_kinds,
)

DEFAULT_API_URL = 'https://koophone.myhuaweicloud.com'
DEFAULT_IAM_URL = 'https://iam.cn-south-1.myhuaweicloud.com'
DEFAULT_PROJECT_NAME = 'cn-south-1'

KOOPHONE_ARGUMENT_SPEC = dict(
    api_url=dict(type='str', default=DEFAULT_API_URL, fallback=(env_fallback, ['KOOPHONE_API_URL'])),
    auth_token=dict(type='str', no_log=True, fallback=(env_fallback, ['KOOPHONE_AUTH_TOKEN'])),
    iam_url=dict(type='str', default=DEFAULT_IAM_URL, fallback=(env_fallback, ['KOOPHONE_IAM_URL'])),
    username=dict(type='str', fallback=(env_fallback, ['KOOPHONE_USERNAME'])),
    password=dict(type='str', no_log=True, fallback=(env_fallback, ['KOOPHONE_PASSWORD'])),
    domain_name=dict(type='str', fallback=(env_fallback, ['KOOPHONE_DOMAIN_NAME'])),
    project_name=dict(type='str', default=DEFAULT_PROJECT_NAME, fallback=(env_fallback, ['KOOPHONE_PROJECT_NAME'])),
    # AK/SK: the collection's own variables first, then those Huawei's SDKs read.
    access_key=dict(type='str', no_log=True, fallback=(env_fallback, ['KOOPHONE_ACCESS_KEY', 'HUAWEICLOUD_SDK_AK'])),
    secret_key=dict(type='str', no_log=True, fallback=(env_fallback, ['KOOPHONE_SECRET_KEY', 'HUAWEICLOUD_SDK_SK'])),
    project_id=dict(type='str', fallback=(env_fallback, ['KOOPHONE_PROJECT_ID', 'HUAWEICLOUD_SDK_PROJECT_ID'])),
)


def check_credentials(params):
    """Exactly one kind of credentials, given completely (and the IAM URL when logging in to IAM)."""
    kinds = credential_kinds(params)
    if len(kinds) > 1:
        raise InvalidInput(
            'Credentials of more than one kind were given (%s): give only one of auth_token; username, password and '
            'domain_name; or access_key and secret_key. Options left unset fall back to their environment variables '
            '(KOOPHONE_AUTH_TOKEN, KOOPHONE_USERNAME/PASSWORD/DOMAIN_NAME, KOOPHONE_ACCESS_KEY/SECRET_KEY or '
            'HUAWEICLOUD_SDK_AK/SK): unset the ones not meant for this task' % ', '.join(kinds))
    if not kinds:
        raise InvalidInput(
            'No credentials: give access_key and secret_key (or KOOPHONE_ACCESS_KEY/KOOPHONE_SECRET_KEY, or '
            'HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK), auth_token (or KOOPHONE_AUTH_TOKEN), or username, password and '
            'domain_name (or their KOOPHONE_* environment variables)')
    needed = {IAM_LOGIN: IAM_OPTIONS, AKSK: AKSK_OPTIONS}.get(kinds[0], ())
    missing = [name for name in needed if not params.get(name)]
    if missing:
        raise InvalidInput('%s needs %s; missing: %s' % (kinds[0], ', '.join(needed), ', '.join(missing)))
    if kinds[0] == IAM_LOGIN:
        http_url('iam_url', params['iam_url'], 'KOOPHONE_IAM_URL')


# X-Auth-Token, the Access= part of Authorization, X-Project-Id
KOOPHONE = Vendor('koophone', KOOPHONE_ARGUMENT_SPEC, KooPhoneClient, check=check_credentials,
                  headers=('auth_token', 'access_key', 'project_id'), batch_size=MAX_BATCH)


def unique_instance_ids(instance_ids, option='instance_ids'):
    """The instance ids without repeats, in order; each non-empty and at most 32 characters, as the vendor requires."""
    if not instance_ids:
        raise InvalidInput('%s must hold at least one instance id' % option)
    for position, value in enumerate(instance_ids, 1):
        if not value or not value.strip():
            raise InvalidInput('%s item %d is empty' % (option, position))
        if len(value) > MAX_ID_LENGTH:
            raise InvalidInput('%s item %d (%r) is %d characters long; the vendor allows at most %d'
                               % (option, position, value, len(value), MAX_ID_LENGTH))
    return unique(instance_ids)


def check_waiting(params):
    """wait_timeout and poll_interval are finite numbers greater than 0."""
    for name in ('wait_timeout', 'poll_interval'):
        finite(name, params[name])
    if params['wait_timeout'] <= 0 or params['poll_interval'] <= 0:
        raise InvalidInput('wait_timeout and poll_interval must be greater than 0, got %s and %s'
                           % (params['wait_timeout'], params['poll_interval']))


def campaign(params, instance_ids):
    """The instances the journal covers: campaign_instance_ids (every instance_ids among them), else instance_ids."""
    if params['campaign_instance_ids'] is None:
        return instance_ids
    if not params['journal']:
        raise InvalidInput('campaign_instance_ids needs journal: it names the instances a journal covers')
    covered = unique_instance_ids(params['campaign_instance_ids'], 'campaign_instance_ids')
    outside = [iid for iid in instance_ids if iid not in set(covered)]
    if outside:
        raise InvalidInput('instance_ids holds %d instance(s) that are not in campaign_instance_ids: %s'
                           % (len(outside), ', '.join(outside[:10])))
    return covered


def journal_target(params):
    """Whose instances the journal records: the API URL and the account the credentials name (never a secret)."""
    target = dict(api_url=params['api_url'].rstrip('/'))
    for name in ('domain_name', 'project_id'):
        if params.get(name):
            target[name] = params[name]
    if params.get('domain_name'):
        target['project_name'] = params['project_name']
    return target
