# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Huawei Cloud KooPhone client: authentication (IAM token, IAM password login, AK/SK signing), error codes,
limits and one method per API call.

Facts come from the vendor's API pages and its Java SDK (huaweicloud/huaweicloud-sdk-java-v3, services/koophone):
every business error may arrive inside an HTTP 200 as ``error_code`` other than "0", a batch holds at most 32
instance ids of at most 32 characters each, and reset jobs are polled at ``GET /v1/instances/tasks/{task_id}``.
Nothing here knows about Ansible; the options and their checks are in koophone_options.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time
import uuid

from ansible_collections.fleetops.maintenance.plugins.module_utils import huawei_signer
from ansible_collections.fleetops.maintenance.plugins.module_utils.batching import BatchFailure, run_batches
from ansible_collections.fleetops.maintenance.plugins.module_utils.common import Evidence
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import KIND_API, KIND_AUTH, KIND_MALFORMED, ApiError, VendorClient, VendorError
from ansible_collections.fleetops.maintenance.plugins.module_utils.polling import wait_for_task

IAM_OPTIONS = ('username', 'password', 'domain_name', 'project_name')
AKSK_OPTIONS = ('access_key', 'secret_key')

# The kinds of credentials, by the options that select them; exactly one kind may be given.
TOKEN, IAM_LOGIN, AKSK = 'auth_token', 'IAM password login', 'AK/SK signing'
CREDENTIAL_KINDS = (
    (TOKEN, ('auth_token',)),
    (IAM_LOGIN, ('username', 'password', 'domain_name')),
    (AKSK, AKSK_OPTIONS),
)
AUTH_HINTS = {
    TOKEN: 'Check auth_token',
    IAM_LOGIN: 'Check username/password/domain_name/project_name',
    AKSK: 'Check access_key, secret_key and project_id, and this host\'s clock (a signature is valid for 15 minutes)',
}
REQUEST_ID_HEADER = 'x-request-id'
# What Huawei's SDKs send to IAM's token API (IamMeta.java and huaweicloudsdkiam's iam_client.py, KeystoneCreateUserTokenByPassword).
IAM_CONTENT_TYPE = 'application/json;charset=UTF-8'

# Both doc versions accept 32 ids a batch (the 2025 one allows 100); ids are at most 32 characters.
MAX_BATCH = 32
MAX_ID_LENGTH = 32

# Documented error codes and their meanings (vendor ErrorCode pages and individual API pages).
ERROR_CODES = {
    'KOOPHONE.API.0000': 'tenant does not exist',
    'KOOPHONE.API.0001': 'missing x-tenant-id',
    'KOOPHONE.API.0002': 'missing x-request-id',
    'KOOPHONE.API.0004': 'project does not exist',
    'KOOPHONE.API.0005': 'missing request header',
    'KOOPHONE.API.1000': 'bad request parameter',
    'KOOPHONE.API.1001': 'no permission on the instance',
    'KOOPHONE.API.1002': 'instances not in the same region',
    'KOOPHONE.API.1004': 'service not subscribed',
    'KOOPHONE.API.1012': 'instances do not belong to one tenant',
    'KOOPHONE.API.2001': 'cloud app does not exist',
    'KOOPHONE.API.2002': 'cloud app unauthorized',
    'KOOPHONE.API.2003': 'no idle instance',
    'KOOPHONE.API.2004': 'instance frozen',
    'KOOPHONE.API.2005': 'instance in recovery',
    'KOOPHONE.API.2006': 'instance in backup',
    'KOOPHONE.API.4001': 'instance does not exist',
    'KOOPHONE.API.5005': 'not all instances are running',
    'KOOPHONE.API.9999': 'internal error',
    'KPAPI.2209': 'no device can be assigned',
    'APIGW.0301': 'incorrect IAM authentication information',
}

# Instance status enums: the two doc versions disagree for batch-query-status.
STATUS_ENUMS = {
    '2024': {0: 'unknown', 1: 'stopped', 2: 'running', 3: 'offline', 4: 'starting', 5: 'shut down'},
    '2025': {0: 'idle', 1: 'restoring', 2: 'data loaded', 3: 'streaming', 4: 'backing up',
             5: 'backup exception', 6: 'restore exception', 7: 'data loaded'},
}
# batch-query's running_status uses the 2024 list in every doc version.
RUNNING_STATUS_ENUM = '2024'
# A reset in progress is status 4: "resetting" (重置中) in the SDK's InstanceStatus
# (huaweicloud/huaweicloud-sdk-java-v3, services/koophone/src/main/java/com/huaweicloud/sdk/koophone/v1/model/
# InstanceStatus.java), "starting" (启动中) in StatusResult.java of the same package, the model of batch-query-status's
# answer, where a running phone is 2. A phone running before a batch reset and resetting right after it was reset by it.
STATUS_RUNNING, STATUS_RESETTING = 2, 4

# Job states (SDK JobDetail.status): 0 not started, 1 running, 2 succeeded, 3 and -1 failed. Asynchronous
# commands report 1, 2 and -1; 0 and 3 are listed for app installs. Anything not final counts as running.
JOB_STATUSES = {0: 'running', 1: 'running', 2: 'succeeded', 3: 'failed', -1: 'failed'}
FINAL_JOB_STATUSES = frozenset([2, 3, -1])


def describe_code(code, followed_by_text=False):
    """'CODE (meaning)' for a documented code (with a colon when the vendor's text follows), else the code alone."""
    meaning = ERROR_CODES.get(code)
    if not meaning:
        return code
    return '%s (%s)%s' % (code, meaning, ':' if followed_by_text else '')


def status_name(status, enum=RUNNING_STATUS_ENUM):
    """A readable name of an instance status number, or 'status N' when it is not in the enum."""
    return STATUS_ENUMS[enum].get(status, 'status %s' % status)


def parse_error(status, data):
    """The shared client's error parser for KooPhone answers.

    Any ``error_code`` other than "0" is a failure, whatever the HTTP status. Most answers carry it at the top
    (SDK ``BatchResetInstanceResponse``, ``BatchShowInstanceResponse``, ``ExecuteJobResponse``); the answer of
    ``GET /v1/instances/batch-query`` has only ``data``, with ``error_code`` and ``error_msg`` inside it
    (SDK ``ListInstancesResponse`` -> ``InstanceBatchQueryRspData``). Both places are checked.
    Gateway codes (APIGW.*) and bare 401/403 answers are credential problems.
    """
    found = None
    for place in _error_places(data):
        code = str(place.get('error_code'))
        if code != '0' or status >= 400:
            kind = KIND_AUTH if status in (401, 403) and not code.startswith('KOOPHONE.') else KIND_API
            return VendorError(code, place.get('error_msg'), kind)
        found = place
    if found is not None:
        return None
    if status >= 400:
        return VendorError()
    return VendorError(None, 'the answer has no error_code', KIND_MALFORMED)


def _error_places(data):
    """The parts of an answer that may hold error_code: the body itself, then its data object."""
    if not isinstance(data, dict):
        return []
    places = [data, data.get('data')]
    return [place for place in places if isinstance(place, dict) and 'error_code' in place]


def parse_iam_error(status, data):
    """IAM answers errors as {"error": {"code", "message"}}."""
    if status < 400:
        return None
    error = data.get('error') if isinstance(data, dict) else None
    if isinstance(error, dict):
        return VendorError(error.get('code'), error.get('message'))
    return VendorError()


def credential_kinds(params):
    """The kinds of credentials the parameters give (an option counts when it is set, from the task or its
    environment variable)."""
    return [kind for kind, options in CREDENTIAL_KINDS if any(params.get(name) for name in options)]


class KooPhoneClient(VendorClient):
    """One task's connection to KooPhone: an IAM token is obtained once and reused for every call; with AK/SK
    every request is signed instead (no token, no IAM call)."""

    def __init__(self, params, session=None, api_client_class=None, clock=time.time):
        super(KooPhoneClient, self).__init__(params, session=session, api_client_class=api_client_class)
        self.clock = clock
        kind = (credential_kinds(params) or [TOKEN])[0]  # the options' check has made sure there is exactly one
        self._token = params.get('auth_token')
        self._token_lock = threading.Lock()  # one IAM login for every worker thread
        self._used = threading.local()  # the token this thread's last call carried
        self._iam = kind == IAM_LOGIN
        signed = kind == AKSK
        self.client = self.http(params['api_url'], auth=None if signed else self._auth_headers,
                                request_signer=self._signed_headers if signed else None, error_parser=parse_error,
                                request_id_header=REQUEST_ID_HEADER, auth_hint=AUTH_HINTS[kind],
                                describe_code=describe_code)
        self.iam_client = None
        if self._iam:
            self.iam_client = self.http(params['iam_url'], error_parser=parse_iam_error, auth_hint=AUTH_HINTS[IAM_LOGIN],
                                        content_type=IAM_CONTENT_TYPE)

    # ------------------------------------------------------------------ auth
    def _signed_headers(self, request):
        """SDK-HMAC-SHA256 headers for one attempt (the shared client calls this again on a retry)."""
        params = self.params
        return huawei_signer.sign(params['access_key'], params['secret_key'], request.method, request.host,
                                  request.path, request.params, request.headers, request.body,
                                  project_id=params.get('project_id'), now=self.clock)

    def _auth_headers(self, method, request_uri, body):
        with self._token_lock:
            if self._token is None:
                self._token = self._iam_token()
            self._used.token = self._token
        return {'X-Auth-Token': self._used.token}

    def _iam_token(self):
        """A project-scoped token from IAM (password identity, project by name)."""
        params = self.params
        body = {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': params['username'], 'password': params['password'],
                'domain': {'name': params['domain_name']}}}},
            'scope': {'project': {'name': params['project_name']}},
        }}
        # Asking for a token again has no side effect worth guarding: safe to retry.
        response = self.iam_client.request('POST', '/v3/auth/tokens', json_body=body, idempotent=True)
        token = response.headers.get('X-Subject-Token')
        if response.status != 201 or not token:
            raise ApiError('IAM answered HTTP %d without an X-Subject-Token header' % response.status,
                           method='POST', path='/v3/auth/tokens', status=response.status, kind=KIND_AUTH)
        return token

    def _request(self, method, path, **kwargs):
        """One call with a fresh x-request-id; a 401 under IAM login renews the token once and repeats it.

        Repeating is safe because a call answered 401 was not applied.
        """
        try:
            return self._send(method, path, **kwargs)
        except ApiError as exc:
            # Only a 401 from KooPhone itself: a refused IAM login is not retried.
            if exc.status != 401 or not self._iam or exc.path != path:
                raise
        with self._token_lock:  # renewed once, whichever worker saw the 401 first
            if self._token == getattr(self._used, 'token', None):
                self._token = None
        return self._send(method, path, **kwargs)

    def _send(self, method, path, params=None, request_id_in_query=False, **kwargs):
        request_id = str(uuid.uuid4())
        if request_id_in_query:
            params = dict(params or {}, **{REQUEST_ID_HEADER: request_id})
        return self.client.request(method, path, params=params, headers={REQUEST_ID_HEADER: request_id}, **kwargs)

    # ------------------------------------------------------------- endpoints
    def batch_reset(self, instance_ids):
        """POST /v1/instances/batch-reset for at most 32 ids: {'task_id', 'cmd_jobs'} (both may be None/[])."""
        response = self._request('POST', '/v1/instances/batch-reset', json_body={'instance_ids': list(instance_ids)})
        data = answer_data(response, 'POST', '/v1/instances/batch-reset', outcome_unknown=True)
        return dict(task_id=data.get('task_id'), cmd_jobs=objects(data.get('cmd_jobs')))

    def batch_query_status(self, instance_ids):
        """POST /v1/instances/batch-query-status (a read, safe to repeat): the status_results list."""
        response = self._request('POST', '/v1/instances/batch-query-status',
                                 json_body={'instance_ids': list(instance_ids)}, idempotent=True)
        return objects(answer_data(response, 'POST', '/v1/instances/batch-query-status').get('status_results'))

    def batch_query(self, page_no, page_size, filters=None):
        """GET /v1/instances/batch-query, one page: the data dict (result, page_no, page_size, total_count)."""
        params = dict(filters or {}, page_no=page_no, page_size=page_size)
        response = self._request('GET', '/v1/instances/batch-query', params=params, request_id_in_query=True)
        return answer_data(response, 'GET', '/v1/instances/batch-query')

    def get_task(self, task_id):
        """GET /v1/instances/tasks/{task_id}: the data dict with its jobs."""
        path = '/v1/instances/tasks/%s' % task_path_segment(task_id)
        return answer_data(self._request('GET', path), 'GET', path)

    # ------------------------------------------------------ shared workflows
    def query_status(self, instance_ids):
        """Status of every id, 32 a call: (status_results in request order, ids the vendor did not return)."""
        pages = run_batches(instance_ids, MAX_BATCH, self.batch_query_status, errors=(ApiError,),
                            concurrency=self.params.get('concurrency') or 1)
        by_id = {}
        for page in pages:
            for item in page:
                by_id[key(item.get('instance_id'))] = item
        known = [by_id[iid] for iid in instance_ids if iid in by_id]
        unknown = [iid for iid in instance_ids if iid not in by_id]
        return known, unknown

    def statuses(self, instance_ids):
        """{instance id: status} of the instances the vendor reports (batch-query-status, 32 a call)."""
        known, unknown = self.query_status(instance_ids)
        return dict((item.get('instance_id'), item.get('status')) for item in known)

    def reset_evidence(self):
        """The statuses read around each journaled reset batch: a phone running before a batch whose answer was lost
        and resetting right after it was reset by it. A read that fails proves nothing (the phones stay held back)."""
        def read(batch):
            try:
                return self.statuses(batch)
            except (ApiError, BatchFailure):
                return {}

        def applied(batch, before):
            return proven_resets(batch, before, read(batch)) if before else {}
        return Evidence(read, applied)

    def list_instances(self, page_size, filters=None):
        """Every instance batch-query returns, page after page: (instances, total_count).

        Paging follows the answer's ``total_count``; only when it is missing does a short page end the listing
        (the vendor may serve fewer items a page than asked for).
        """
        instances = []
        page_no = 1
        while True:
            data = self.batch_query(page_no, page_size, filters)
            page = objects(data.get('result'))
            instances.extend(page)
            total = data.get('total_count')
            total = total if isinstance(total, int) else None  # InstanceBatchQueryRspData.total_count: Integer
            if not page or (len(instances) >= total if total is not None else len(page) < page_size):
                return instances, (total if total is not None else len(instances))
            page_no += 1

    def wait_for_jobs(self, task_id, timeout, interval, sleep=None):
        """Poll a reset task until every job succeeded or failed; returns its jobs (TaskFailed on timeout)."""
        def fetch():
            return objects(self.get_task(task_id).get('jobs'))

        def outcome(jobs):
            return 'done' if jobs and all(key(job.get('status')) in FINAL_JOB_STATUSES for job in jobs) else 'running'

        kwargs = {'sleep': sleep} if sleep else {}
        return wait_for_task(task_id, fetch, outcome, timeout, interval, **kwargs)


def proven_resets(instance_ids, before, after):
    """{instance id: evidence} of the instances a batch reset whose answer was lost provably reset: running before
    it was sent (``before``, {id: status}) and resetting right after (``after``)."""
    return dict((iid, 'status %s (%s) before the batch was sent, %s (resetting) after it'
                 % (STATUS_RUNNING, status_name(STATUS_RUNNING), STATUS_RESETTING))
                for iid in instance_ids
                if before.get(iid) == STATUS_RUNNING and after.get(iid) == STATUS_RESETTING)


def answer_data(response, method, path, outcome_unknown=False):
    """The answer's ``data`` object ({} when there is none); any other type is a malformed answer (after a write,
    of unknown outcome: the service answered)."""
    data = response.data.get('data') if isinstance(response.data, dict) else None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ApiError('unexpected answer: data is not an object', method=method, path=path, status=response.status,
                       kind=KIND_MALFORMED, outcome_unknown=outcome_unknown)
    return data


def objects(value):
    """The objects of a list in an answer; anything else in it, or a value that is no list, gives none."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def key(value):
    """An id or status as the vendor gave it, when it can be one (text or a number); None otherwise."""
    return value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


def task_path_segment(task_id):
    """The task id as a path segment: refuse anything that could change the path."""
    text = str(task_id)
    if not text or any(char in text for char in '/?#%') or text in ('.', '..'):
        raise ApiError('the vendor returned an unusable task id %r' % text, kind=KIND_MALFORMED)
    return text


def job_results(batch_number, instance_ids, reply, jobs=None):
    """Per-instance results of one reset batch.

    ``reply`` is what batch_reset returned, ``jobs`` the task's final jobs when waited on. A job names no
    instance (SDK JobDetail: job_id, status, error_code, error_msg, execute_msg): only the answer to
    batch-reset maps instances to jobs, in ``data.cmd_jobs[{instance_id, job_id}]`` (SDK CmdJob).
    """
    job_ids = dict((key(job.get('instance_id')), key(job.get('job_id'))) for job in objects(reply.get('cmd_jobs')))
    by_job = dict((key(job.get('job_id')), job) for job in objects(jobs))
    results = []
    for iid in instance_ids:
        item = dict(instance_id=iid, batch=batch_number, job_id=job_ids.get(iid), status='requested')
        job = by_job.get(item['job_id']) if item['job_id'] else None
        if job is not None:
            item['status'] = JOB_STATUSES.get(key(job.get('status')), 'running')
            if item['status'] == 'failed':
                item['error_code'] = job.get('error_code')
                item['error_msg'] = job.get('error_msg')
        results.append(item)
    return results
