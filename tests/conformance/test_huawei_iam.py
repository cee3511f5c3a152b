"""Huawei Cloud IAM password tokens: Huawei's own IAM SDK is the oracle for the simulator's token endpoint and for
the request the collection sends.

Oracle: huaweicloudsdkiam 3.1.219 (PyPI), ``huaweicloudsdkiam/v3/iam_client.py``
(``keystone_create_user_token_by_password``: ``POST /v3/auth/tokens``, the token in the ``X-Subject-Token``
answer header) and its models (``KeystoneCreateUserTokenByPasswordRequestBody``, ``PwdAuth``, ``TokenResult``),
with huaweicloudsdkcore 3.1.219 for the client. The SDK's ``ClientBuilder`` keeps an ``http://`` endpoint as it is
(``huaweicloudsdkcore/client.py``, ``ClientBuilder.build``), so it can be pointed at the simulator on loopback;
it insists on credentials, so it is given an unused AK/SK pair (the token call is authenticated by its body).
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkiam.v3 import (AuthScope, AuthScopeProject, IamClient, KeystoneCreateUserTokenByPasswordRequest,
                                  KeystoneCreateUserTokenByPasswordRequestBody, PwdAuth, PwdIdentity, PwdPassword,
                                  PwdPasswordUser, PwdPasswordUserDomain)

from ansible_collections.fleetops.maintenance.plugins.module_utils import koophone
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS

# The simulator's default IAM user.
USER = CREDENTIALS.koophone_user

# The connection options of a module run.
CONNECTION = dict(validate_certs=True, ca_path=None, timeout=10, retries=3, retry_backoff=1.0, rate_limit_timeout=300)


def iam_client(endpoint):
    return IamClient.new_builder().with_credentials(GlobalCredentials("unused-ak", "unused-sk")) \
        .with_endpoint(endpoint).build()


def password_token_request(password=USER["password"]):
    body = KeystoneCreateUserTokenByPasswordRequestBody(auth=PwdAuth(
        identity=PwdIdentity(methods=["password"], password=PwdPassword(user=PwdPasswordUser(
            domain=PwdPasswordUserDomain(name=USER["domain_name"]), name=USER["username"], password=password))),
        scope=AuthScope(project=AuthScopeProject(name=USER["project_name"]))))
    return KeystoneCreateUserTokenByPasswordRequest(body=body)


def test_sdk_gets_and_parses_a_token_from_the_simulator(sim):
    answer = iam_client(sim.url).keystone_create_user_token_by_password(password_token_request())
    assert answer.status_code == 201
    assert answer.x_subject_token  # from the X-Subject-Token header
    project = answer.token.project
    assert project.name == USER["project_name"] and len(project.id) == 32
    assert project.domain.name == USER["domain_name"] and answer.token.user.name == USER["username"]
    # the token is one KooPhone accepts
    client = koophone.KooPhoneClient(dict(CONNECTION, api_url=sim.url, auth_token=answer.x_subject_token))
    assert client.list_instances(100)[1] == 80


def test_sdk_raises_its_own_error_on_a_wrong_password(sim):
    with pytest.raises(ClientRequestException) as caught:
        iam_client(sim.url).keystone_create_user_token_by_password(password_token_request("wrong-password"))
    assert caught.value.status_code == 401


class CapturedRequest(BaseHTTPRequestHandler):
    """Keeps the body of every token request and answers like IAM (201, the token in X-Subject-Token); answers
    anything else like KooPhone's batch-query-status."""

    bodies: list = []

    def do_POST(self):  # noqa: N802 - the name http.server dispatches to
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/v3/auth/tokens":
            CapturedRequest.bodies.append(body)
            status, headers = 201, {"X-Subject-Token": "captured-token"}
            answer = {"token": {"methods": ["password"], "project": {"name": USER["project_name"], "id": "p" * 32}}}
        else:
            status, headers, answer = 200, {}, {"error_code": "0", "error_msg": "ok", "data": {"status_results": []}}
        text = json.dumps(answer).encode()
        self.send_response(status)
        for name, value in dict(headers, **{"Content-Type": "application/json", "Content-Length": str(len(text))}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


@pytest.fixture
def capture():
    CapturedRequest.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), CapturedRequest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:%d" % server.server_address[1], CapturedRequest.bodies
    server.shutdown()
    server.server_close()


def test_collection_sends_the_sdks_password_token_body(capture):
    """The collection's IAM login body is the one the SDK sends, key for key."""
    url, bodies = capture
    iam_client(url).keystone_create_user_token_by_password(password_token_request())
    params = dict(CONNECTION, **dict(USER, api_url=url, iam_url=url, auth_token=None))
    koophone.KooPhoneClient(params).batch_query_status(["a44uhlf7"])  # logs in to IAM first
    sdk_body, collection_body = bodies
    assert collection_body == sdk_body
