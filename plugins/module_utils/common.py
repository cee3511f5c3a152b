# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every module shares: the connection options and turning failures into fail_json."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.fleetops.maintenance.plugins.module_utils.batching import BatchFailure
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    ApiError,
    RetryPolicy,
)
from ansible_collections.fleetops.maintenance.plugins.module_utils.polling import TaskFailed

# Documented in the fleetops.maintenance.connection doc fragment.
CONNECTION_ARGUMENT_SPEC = dict(
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['FLEETOPS_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(env_fallback, ['FLEETOPS_CA_PATH'])),
    timeout=dict(type='float', default=30),
    retries=dict(type='int', default=3),
    retry_backoff=dict(type='float', default=1.0),
    rate_limit_timeout=dict(type='float', default=300),
)


def merge_specs(*specs):
    """One argument spec from the connection options, a vendor's options and a module's own."""
    merged = dict(CONNECTION_ARGUMENT_SPEC)
    for spec in specs:
        merged.update(spec)
    return merged


def check_connection_options(module):
    """Fail clearly on values the client cannot use; call before anything is sent."""
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=str(REQUESTS_IMPORT_ERROR))
    params = module.params
    for name in ('timeout', 'retry_backoff', 'rate_limit_timeout'):
        require_finite(module, name, params[name])
    if params['timeout'] <= 0:
        module.fail_json(msg='timeout must be greater than 0, got %s' % params['timeout'])
    if params['retries'] < 0:
        module.fail_json(msg='retries must be 0 or more, got %s' % params['retries'])
    if params['retry_backoff'] < 0:
        module.fail_json(msg='retry_backoff must be 0 or more, got %s' % params['retry_backoff'])
    if params['rate_limit_timeout'] < 0:
        module.fail_json(msg='rate_limit_timeout must be 0 or more, got %s' % params['rate_limit_timeout'])


def require_finite(module, name, value):
    """inf and nan pass every comparison check: refuse them by name."""
    if value is not None and not math.isfinite(value):
        module.fail_json(msg='%s must be a finite number, got %s' % (name, value))


def client_options(params):
    """ApiClient keyword arguments from the connection options."""
    return dict(
        validate_certs=params['validate_certs'],
        ca_path=params['ca_path'],
        timeout=params['timeout'],
        policy=RetryPolicy(retries=params['retries'], backoff=params['retry_backoff'],
                           rate_limit_timeout=params['rate_limit_timeout']),
    )


def require_url(module, option, value):
    """An API URL must be an http(s) URL without credentials, query or fragment."""
    if not value:
        module.fail_json(msg='%s is required (or set its environment variable)' % option)
    parts = urlsplit(value)
    if '@' in value:
        module.fail_json(msg='%s must not contain credentials (user:password@)' % option)
    if parts.scheme not in ('http', 'https') or not parts.netloc:
        module.fail_json(msg='%s must be an http:// or https:// URL, got %r' % (option, value))
    if parts.query or parts.fragment:
        module.fail_json(msg='%s must not contain a query or a fragment' % option)


def fail_with(module, exc, **result):
    """End the module with a clear message for an API, batch or task failure; keep partial results."""
    if isinstance(exc, BatchFailure):
        result.setdefault('failed_batch', exc.failed_index + 1)
        result.setdefault('unprocessed', exc.unprocessed_items)
        if exc.outcome_unknown:
            result.setdefault('outcome_unknown_items', exc.failed_items)
        inner = exc.error
        if isinstance(inner, ApiError):
            result['error'] = inner.to_dict()
        elif isinstance(inner, TaskFailed):
            result.setdefault('task_id', inner.task_id)
            result.setdefault('last_state', inner.last_state)
        module.fail_json(msg=exc.summary(), **result)
    if isinstance(exc, ApiError):
        result.setdefault('error', exc.to_dict())
        module.fail_json(msg=str(exc), **result)
    if isinstance(exc, TaskFailed):
        result.setdefault('task_id', exc.task_id)
        result.setdefault('last_state', exc.last_state)
        module.fail_json(msg=str(exc), **result)
    raise exc
