# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark helper, not part of the collection: the filter a user of a plain ``ansible.builtin.uri``
loop needs to sign Trend Micro WFBS-SVC (SMPI) requests, since Jinja has no HMAC-SHA256.

    headers: "{{ wfbss_access_token | wfbss_headers(wfbss_secret_key, 'POST', request_uri) }}"

``request_uri`` is the path and query exactly as sent (still URL-encoded). The body is not signed
here: commands/reset has none.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import hmac
import time
import uuid


def wfbss_headers(access_token, secret_key, method, request_uri, body=''):
    posix_time = str(int(time.time()))
    payload = posix_time + method.upper() + request_uri
    if body:
        payload += base64.b64encode(hashlib.md5(body.encode('utf-8')).digest()).decode('ascii')
    digest = hmac.new(secret_key.encode('utf-8'), payload.encode('utf-8'), hashlib.sha256).digest()
    return {
        'x-access-token': access_token,
        'x-posix-time': posix_time,
        'x-traceid': str(uuid.uuid4()),
        'x-signature': base64.b64encode(digest).decode('ascii'),
        'content-type': 'application/json; charset=utf-8',  # compulsory on every SMPI request
    }


class FilterModule(object):
    def filters(self):
        return {'wfbss_headers': wfbss_headers}
