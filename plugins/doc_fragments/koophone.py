# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The Huawei Cloud KooPhone connection options (plugins/module_utils/koophone.py).
    DOCUMENTATION = r'''
options:
  api_url:
    description:
      - Base URL of the KooPhone API.
      - The vendor's SDK knows one region, C(cn-south-1), served by the default URL.
      - If not set, the value of the E(KOOPHONE_API_URL) environment variable is used.
    type: str
    default: https://koophone.myhuaweicloud.com
  auth_token:
    description:
      - A project-scoped Huawei Cloud IAM token, sent as C(X-Auth-Token).
      - Give exactly one kind of credentials - O(access_key) and O(secret_key); O(auth_token); or O(username),
        O(password) and O(domain_name) to log in to IAM. Credentials of more than one kind (counting those from
        environment variables) are refused, naming the kinds found.
      - If not set, the value of the E(KOOPHONE_AUTH_TOKEN) environment variable is used.
    type: str
  access_key:
    description:
      - Access key ID (AK) of a Huawei Cloud access key. With O(secret_key), every request is signed
        (C(SDK-HMAC-SHA256), as Huawei's SDKs sign it); no token is requested from IAM.
      - Huawei's IAM recommends AK/SK over tokens for automation; unlike a token, an access key does not expire
        after 24 hours.
      - If not set, the value of the E(KOOPHONE_ACCESS_KEY) environment variable is used, else that of
        E(HUAWEICLOUD_SDK_AK) (the variable Huawei's SDKs read).
    type: str
  secret_key:
    description:
      - Secret access key (SK) of O(access_key). It signs the requests and is never sent.
      - A signature carries the time it was made (C(X-Sdk-Date)) and is refused when it is more than 15 minutes away
        from the vendor's clock, so keep this host's clock right.
      - If not set, the value of the E(KOOPHONE_SECRET_KEY) environment variable is used, else that of
        E(HUAWEICLOUD_SDK_SK).
    type: str
  project_id:
    description:
      - ID of the IAM project to act in, sent (and signed) as C(X-Project-Id) with O(access_key) and O(secret_key).
        Huawei's SDKs always send it for a project-scoped service such as KooPhone; set it.
      - Used only with AK/SK signing (a token is already scoped to a project).
      - If not set, the value of the E(KOOPHONE_PROJECT_ID) environment variable is used, else that of
        E(HUAWEICLOUD_SDK_PROJECT_ID).
    type: str
  iam_url:
    description:
      - Base URL of the Huawei Cloud IAM service that issues tokens (C(POST /v3/auth/tokens)).
      - Used only with O(username), O(password) and O(domain_name).
      - If not set, the value of the E(KOOPHONE_IAM_URL) environment variable is used.
    type: str
    default: https://iam.cn-south-1.myhuaweicloud.com
  username:
    description:
      - IAM user name for password login. A token is obtained once per task and reused for every call;
        if KooPhone answers HTTP 401, the token is renewed once and the call repeated.
      - If not set, the value of the E(KOOPHONE_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(username).
      - If not set, the value of the E(KOOPHONE_PASSWORD) environment variable is used.
    type: str
  domain_name:
    description:
      - IAM domain (account) name of O(username).
      - If not set, the value of the E(KOOPHONE_DOMAIN_NAME) environment variable is used.
    type: str
  project_name:
    description:
      - Name of the IAM project the token is scoped to (KooPhone needs a project-scoped token).
      - If not set, the value of the E(KOOPHONE_PROJECT_NAME) environment variable is used.
    type: str
    default: cn-south-1
notes:
  - Every call sends a fresh C(x-request-id) header (a UUID), which failure messages quote.
  - KooPhone reports business errors inside HTTP 200 answers; any C(error_code) other than C(0) is a failure,
    and the message names the code, its documented meaning and the vendor's C(error_msg).
  - "Authentication: O(access_key)/O(secret_key) signs each request and each retry afresh; O(auth_token) is sent as it
    is; the IAM password login gets one token per task and renews it once on HTTP 401."
'''

    # For the inventory plugins, over DOCUMENTATION: the environment variables of KOOPHONE_ARGUMENT_SPEC's fallbacks.
    # Ansible takes the last variable of a list that is set, the modules the first: the lists are in reverse order.
    PLUGINS = r'''
options:
  api_url:
    env:
      - name: KOOPHONE_API_URL
  auth_token:
    env:
      - name: KOOPHONE_AUTH_TOKEN
  access_key:
    env:
      - name: HUAWEICLOUD_SDK_AK
      - name: KOOPHONE_ACCESS_KEY
  secret_key:
    env:
      - name: HUAWEICLOUD_SDK_SK
      - name: KOOPHONE_SECRET_KEY
  project_id:
    env:
      - name: HUAWEICLOUD_SDK_PROJECT_ID
      - name: KOOPHONE_PROJECT_ID
  iam_url:
    env:
      - name: KOOPHONE_IAM_URL
  username:
    env:
      - name: KOOPHONE_USERNAME
  password:
    env:
      - name: KOOPHONE_PASSWORD
  domain_name:
    env:
      - name: KOOPHONE_DOMAIN_NAME
  project_name:
    env:
      - name: KOOPHONE_PROJECT_NAME
'''
