# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  validate_certs:
    description:
      - Verify the API's TLS certificate. Turn off only for a test endpoint.
      - If not set, the value of the E(FLEETOPS_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to verify the API's certificate with, instead of the system store.
      - If not set, the value of the E(FLEETOPS_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for the API to connect and to answer each request.
      - If not set, the value of the E(FLEETOPS_TIMEOUT) environment variable is used.
    type: float
    default: 30
  retries:
    description:
      - How many times a failed request is tried again.
      - A request is retried when the connection could not be made, and, for requests that are safe to repeat
        (reads, C(PUT), C(DELETE)), also on HTTP 500, 502, 503, 504 and read timeouts.
      - A write that may have reached the server is never replayed blindly; the failure says its outcome is unknown.
        An HTTP 5xx answer to a write is such a case (a gateway's 502 or 503 may come after the service got the request).
      - Waits between tries grow exponentially with jitter, starting at O(retry_backoff) seconds.
    type: int
    default: 3
  retry_backoff:
    description:
      - Seconds to wait before the first retry; each further retry waits about twice as long (at most 30 seconds).
    type: float
    default: 1.0
  rate_limit_timeout:
    description:
      - How many seconds in total a task may spend waiting out HTTP 429 (rate limited) answers.
      - A C(Retry-After) header is honoured (each wait at most 60 seconds). 429 waits do not use up O(retries).
    type: float
    default: 300
requirements:
  - requests >= 2.25 (on the host that runs the module)
'''

    # For the inventory plugins, over DOCUMENTATION: the environment variables the same options fall back to
    # (modules take them from their argument spec; other plugins must declare them).
    PLUGINS = r'''
options:
  validate_certs:
    env:
      - name: FLEETOPS_VALIDATE_CERTS
  ca_path:
    env:
      - name: FLEETOPS_CA_PATH
  timeout:
    env:
      - name: FLEETOPS_TIMEOUT
'''
