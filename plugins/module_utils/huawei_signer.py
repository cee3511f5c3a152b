# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Huawei Cloud AK/SK request signing ("SDK-HMAC-SHA256"), exactly as the ``Signer`` of Huawei's Python SDK
core (PyPI huaweicloudsdkcore, huaweicloudsdkcore/signer/signer.py) signs a request.

canonical request = METHOD, canonical URI, canonical query, canonical headers, signed header names and the hex
SHA-256 of the body, joined by newlines:

- canonical URI: the path decoded, then every segment percent-encoded (only ``~`` kept beyond the unreserved
  characters), always ending in ``/``;
- canonical query: the parameters sorted by name, names and values encoded the same way, joined with ``&``;
- canonical headers: ``name:value`` per signed header (name lower-cased, value trimmed), sorted, each followed by
  a newline. Every header of the request is signed except names holding ``_``, as the SDK does; ``Host`` always.

string to sign = ``SDK-HMAC-SHA256``, the X-Sdk-Date (``%Y%m%dT%H%M%SZ``, UTC) and the hex SHA-256 of the
canonical request, joined by newlines; signature = hex HMAC-SHA256(SK, string to sign), sent as
``Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<names joined by ;>, Signature=<signature>``.

Vendor-neutral: nothing here knows about Ansible or a particular Huawei service.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import time

from urllib.parse import quote, unquote

ALGORITHM = 'SDK-HMAC-SHA256'
DATE_HEADER = 'X-Sdk-Date'
PROJECT_HEADER = 'X-Project-Id'
DATE_FORMAT = '%Y%m%dT%H%M%SZ'
EMPTY_BODY_SHA256 = hashlib.sha256(b'').hexdigest()


def _encode(text):
    return quote(text, safe='~')


def canonical_uri(path):
    """The path decoded, each segment encoded again, with a trailing slash."""
    uri = '/'.join(_encode(segment) for segment in unquote(path or '/').split('/'))
    return uri if uri.endswith('/') else uri + '/'


def canonical_query(params):
    """The query parameters (a dict or (name, value) pairs, decoded) sorted by name, as the SDK writes them:
    a list value repeats its name once per item (items sorted), a boolean is lower-case, anything else str()."""
    pairs = sorted(params.items() if isinstance(params, dict) else list(params or []))
    parts = []
    for name, value in pairs:
        if isinstance(value, (list, tuple)):
            texts = [str(item) for item in sorted(value)]
        else:
            texts = [str(value).lower() if isinstance(value, bool) else str(value)]
        parts.extend('%s=%s' % (_encode(name), _encode(text)) for text in texts)
    return '&'.join(parts)


def signed_header_names(headers):
    """The lower-cased, sorted names of the headers that are signed (the SDK skips names holding '_')."""
    return sorted(name.lower() for name in headers if '_' not in name)


def canonical_request(method, path, params, headers, body):
    """The canonical request text, and the signed header names it covers."""
    values = dict((name.lower(), str(value).strip()) for name, value in headers.items())
    names = signed_header_names(headers)
    canonical_headers = ''.join('%s:%s\n' % (name, values[name]) for name in names)
    body_hash = hashlib.sha256(body).hexdigest() if body else EMPTY_BODY_SHA256
    text = '\n'.join([method.upper(), canonical_uri(path), canonical_query(params), canonical_headers,
                      ';'.join(names), body_hash])
    return text, names


def signature(secret_key, sdk_date, canonical):
    """hex HMAC-SHA256(SK, string to sign) for a canonical request and its X-Sdk-Date."""
    string_to_sign = '\n'.join([ALGORITHM, sdk_date, hashlib.sha256(canonical.encode('utf-8')).hexdigest()])
    return hmac.new(secret_key.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()


def authorization(access_key, secret_key, method, path, params, headers, body):
    """The Authorization value for a request whose headers already hold Host and X-Sdk-Date."""
    date = next(value for name, value in headers.items() if name.lower() == DATE_HEADER.lower())
    canonical, names = canonical_request(method, path, params, headers, body)
    return '%s Access=%s, SignedHeaders=%s, Signature=%s' % (
        ALGORITHM, access_key, ';'.join(names), signature(secret_key, date, canonical))


def sign(access_key, secret_key, method, host, path, params, headers, body=b'', project_id=None, now=time.time):
    """The headers that authenticate one request: Host, X-Sdk-Date, X-Project-Id (with a project id) and
    Authorization, which signs them together with every header in ``headers``.

    ``host`` is the Host header as sent (with a non-default port), ``path`` the path as sent, ``params`` the
    decoded query parameters, ``body`` the exact bytes sent. Call it again for every attempt: the date is part
    of the signature, and the service refuses dates more than 15 minutes away from its clock.
    """
    added = {'Host': host, DATE_HEADER: time.strftime(DATE_FORMAT, time.gmtime(now()))}
    if project_id:
        added[PROJECT_HEADER] = project_id
    replaced = set(name.lower() for name in added) | set(['authorization'])
    to_sign = dict((name, value) for name, value in headers.items() if name.lower() not in replaced)
    to_sign.update(added)
    added['Authorization'] = authorization(access_key, secret_key, method, path, params, to_sign, body)
    return added
