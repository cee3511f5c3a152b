# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""fleet-items.csv: one row per item of the run, safe to open in a spreadsheet."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv

from ansible_collections.fleetops.maintenance.plugins.plugin_utils.report_data import ITEM_FIELDS

HEADER = ('vendor', 'item_id', 'name', 'account_tenant_or_wave', 'action', 'outcome', 'reason', 'task_or_job_id')
# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): it gets a leading apostrophe.
FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r')


def cell(value):
    """The text of one cell: a value that a spreadsheet would read as a formula is quoted with a leading '."""
    text = '' if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write(stream, rows):
    """Write the header and the rows (RFC 4180: commas, quotes and line breaks inside a cell are quoted)."""
    writer = csv.writer(stream, lineterminator='\r\n')
    writer.writerow(HEADER)
    writer.writerows([cell(row[field]) for field in ITEM_FIELDS] for row in rows)
