# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The device refusals an operator reads, word for word: a value that is not a string, a device that is not a dict,
and unknown fields (one or several) with the list of the known ones."""

from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils.iot_devices import device_to_api

KNOWN = ('ip_address, ipv6_address, imei, iccid, imsi, apn, msisdn, session_event_type, session_start, '
         'session_end')


@pytest.mark.parametrize('device, message', [
    ({'ip_address': '10.0.0.1', 'imei': 3.5}, 'devices item 2: imei must be a string, got float'),
    (['10.0.0.1'], 'devices item 2: must be a dict of device fields, got list'),
    ({'ip_address': '10.0.0.1', 'mac': 'x'}, 'devices item 2: unknown field mac (known: %s)' % KNOWN),
    ({'ip_address': '10.0.0.1', 'mac': 'x', 'IMEI': '1'}, 'devices item 2: unknown fields IMEI, mac (known: %s)' % KNOWN),
])
def test_a_refused_device_is_described_word_for_word(device, message):
    with pytest.raises(ValueError) as caught:
        device_to_api(device, 'devices item 2')
    assert str(caught.value) == message
