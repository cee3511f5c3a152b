# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Trend Micro WFBS-SVC Service Management API (SMPI) client: request signing, endpoints, error answers, limits.

Nothing here knows about Ansible: calls raise ApiError (or BatchFailure for the calls it batches itself).
The options and their checks are in wfbss_options.py, the scheduled-report forms in wfbss_reports.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import hmac
import time
import uuid

from ansible_collections.fleetops.maintenance.plugins.module_utils.batching import run_batches
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import KIND_MALFORMED, ApiError, VendorClient, VendorError

AUTH_HINT = ('Check access_token and secret_key (TMRM > Administration > Third-party integration), and the clock of '
             'the host running the module: every request is signed with its current time (x-posix-time)')

MAX_CUSTOMERS_PER_CALL = 10  # cids: "at least one ... and no more than 10" (reset and report pages)
RESET_TYPES = ('counter', 'livestatus')
RESET_EVENTS = (
    'virus_incidents', 'spyware_incidents', 'wtp_incidents', 'urlfilter_incidents', 'behavior_monitoring_incidents',
    'network_virus_incidents', 'virus_unsuccessful', 'spyware_unsuccessful', 'device_control_incidents',
)
# Per-customer results of report writes that are failures; Missing = the API left the customer out.
FAILED_RESULTS = ('LimitError', 'SpecError', 'InternalError', 'Exception', 'Missing')


# --------------------------------------------------------------------------- signing

def signature(secret_key, posix_time, method, request_uri, body=b''):
    """x-signature = base64(HMAC-SHA256(secret, time + METHOD + request_uri [+ base64(MD5(body))])).

    ``request_uri`` is the URL-encoded path and query exactly as sent; the MD5 part
    is appended only when the body is non-empty (Trend's sample client does the same).
    """
    payload = '%s%s%s' % (posix_time, method.upper(), request_uri)
    if body:
        payload += base64.b64encode(hashlib.md5(body).digest()).decode('ascii')
    digest = hmac.new(secret_key.encode('utf-8'), payload.encode('utf-8'), hashlib.sha256).digest()
    return base64.b64encode(digest).decode('ascii')


def auth_headers(access_token, secret_key, method, request_uri, body=b'', now=time.time, trace_id=uuid.uuid4):
    """The four SMPI headers for one attempt: a fresh time and trace id each call."""
    posix_time = str(int(now()))
    return {
        'x-access-token': access_token,
        'x-posix-time': posix_time,
        'x-traceid': str(trace_id()),
        'x-signature': signature(secret_key, posix_time, method, request_uri, body),
    }


def parse_error(status, data):
    """SMPI documents no error body; read the usual fields when there are any.

    An HTTP 200 whose body carries a non-empty ``error`` is treated as a failure too
    (not documented by Trend; cheap insurance against error-in-200 answers).
    """
    error = data.get('error') if isinstance(data, dict) else None
    text = (data.get('message') or data.get('msg')) if isinstance(data, dict) else None
    if status < 400 and error in (None, '', 0, '0', False):
        return None
    if isinstance(error, dict):
        return VendorError(error.get('code'), error.get('message') or error.get('msg'))
    if text:
        return VendorError(error, text)
    return VendorError(None, error if error not in (None, '') else None)


# --------------------------------------------------------------------------- the API

class WfbssClient(VendorClient):
    """One method per SMPI call; ``params`` are the module's (connection + wfbss) options."""

    def __init__(self, params, session=None, now=time.time):
        super(WfbssClient, self).__init__(params, session=session)
        access_token, secret_key = params['access_token'], params['secret_key']

        def auth(method, request_uri, body):
            return auth_headers(access_token, secret_key, method, request_uri, body, now=now)

        base_url = '%s/SMPI/%s/service/wfbss/api' % (params['api_url'].rstrip('/'), params['api_version'])
        self.client = self.http(base_url, auth=auth, error_parser=parse_error, request_id_header='x-traceid',
                                auth_hint=AUTH_HINT)

    def reset(self, customer_ids, reset_type, events=None):
        """POST commands/reset (no body) for at most 10 customers; returns the task dict {id, status}."""
        params = dict(type=reset_type, events=','.join(events) if events else None, cids=','.join(customer_ids))
        response = self.client.request('POST', '/commands/reset', params=params)
        task = response.data.get('task') if isinstance(response.data, dict) else None
        if not isinstance(task, dict) or not task.get('id'):
            raise _malformed(response, 'POST', '/commands/reset', 'no task.id in the answer')
        return dict(id=task['id'], status=task.get('status'))

    def list_reports(self, customer_ids, name=None):
        """GET report?cids=[&name=]: the API's customers[] entries ({id, eid, reports[]})."""
        params = dict(cids=','.join(customer_ids), name=name)
        return self._customers(self.client.request('GET', '/report', params=params), 'GET')

    def reports(self, customer_ids, name=None):
        """list_reports for any number of customers, 10 per call; raises BatchFailure when a call fails."""
        answers = run_batches(customer_ids, MAX_CUSTOMERS_PER_CALL, lambda batch: self.list_reports(batch, name=name),
                              errors=(ApiError,), concurrency=self.params.get('concurrency') or 1)
        return [entry for answer in answers for entry in answer]

    def create_report(self, customer_ids, body):
        """POST report?cids= with one body for every listed customer: customers[] {id, rtid, result, message}."""
        response = self.client.request('POST', '/report', params=dict(cids=','.join(customer_ids)), json_body=body)
        return self._customers(response, 'POST')

    def update_report(self, customer_ids, body, name=None, rtid=None):
        """PUT report?cids=&name= (or &rtid=) with the new settings: customers[] {id, rtid, result, message}."""
        params = dict(cids=','.join(customer_ids), name=name, rtid=rtid)
        return self._customers(self.client.request('PUT', '/report', params=params, json_body=body), 'PUT')

    def delete_report(self, customer_ids, name=None, rtid=None):
        """DELETE report?cids=&name= (or &rtid=): customers[] {id, rtid, result, message}."""
        params = dict(cids=','.join(customer_ids), name=name, rtid=rtid)
        return self._customers(self.client.request('DELETE', '/report', params=params), 'DELETE')

    def customers(self, page, name=None):
        """GET customers?page=N[&q=]: one page of the account's customers, {'customers', 'total', 'limit'}.

        ``customers`` are the answer's entries ({id, name}); ``paging.total`` is how many customers match and
        ``paging.limit`` how many a page holds. ``name`` is the API's ``q`` (names that contain it).
        """
        response = self.client.request('GET', '/customers', params=dict(page=page, q=name))
        data = response.data if isinstance(response.data, dict) else {}
        customers, paging = data.get('customers'), data.get('paging')
        if not isinstance(customers, list) or not all(isinstance(item, dict) and item.get('id') for item in customers):
            raise _malformed(response, 'GET', '/customers', 'no customers[] list of {id, name} in the answer')
        paging = paging if isinstance(paging, dict) else {}
        total, limit = paging.get('total'), paging.get('limit')
        if not (_count(total) and _count(limit) and limit > 0):
            raise _malformed(response, 'GET', '/customers', 'no paging {total, limit} in the answer')
        return dict(customers=customers, total=total, limit=limit)

    def list_customers(self, name=None):
        """Every customer of the account (or those whose name contains ``name``), without repeats.

        Pages as the API's PowerShell client does (wetling23/Public.TmWfbs.PowerShellModule, Get-TmWfbsCustomer):
        ``?page=1``, 2, ... up to paging.total / paging.limit pages, read from each answer; an empty page ends the
        listing early.
        """
        customers, seen = [], set()
        page = 1
        while True:
            answer = self.customers(page, name=name)
            for item in answer['customers']:
                cid = str(item['id']).upper()
                if cid not in seen:  # a customer added while paging may shift one onto the next page
                    seen.add(cid)
                    customers.append(item)
            pages = -(-answer['total'] // answer['limit'])
            if not answer['customers'] or page >= pages:
                return customers
            page += 1

    @staticmethod
    def _customers(response, method):
        customers = response.data.get('customers') if isinstance(response.data, dict) else None
        if not isinstance(customers, list) or not all(isinstance(item, dict) for item in customers):
            raise _malformed(response, method, '/report', 'no customers[] list in the answer')
        return customers


def _malformed(response, method, path, what):
    # a POST answered with a success we cannot read may have been applied
    return ApiError('HTTP %d but %s' % (response.status, what), method=method, path=path, status=response.status,
                    request_id=response.request_id, kind=KIND_MALFORMED, outcome_unknown=method == 'POST')


def _count(value):
    """A whole number of 0 or more (a JSON true is not a count)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def by_customer(entries):
    """Index an answer's customers[] entries by upper-case customer id (the API answers in upper case)."""
    index = {}
    for entry in entries:
        index.setdefault(str(entry.get('id', '')).upper(), []).append(entry)
    return index
