# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Writing the run report's four files into a directory, and copying them to where they are kept."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import json
import os
import shutil
import tempfile

from ansible_collections.fleetops.maintenance.plugins.plugin_utils import report_csv, report_html, report_markdown

FILES = ('fleet-report.json', 'fleet-report.md', 'fleet-report.html', 'fleet-items.csv')


def write(directory, report, rows):
    """Write fleet-report.json, fleet-report.md, fleet-report.html and fleet-items.csv; return their paths.

    Each file is written to a temporary file first and then renamed, so that a reader never sees half a report.
    """
    if not os.path.isdir(directory):
        os.makedirs(directory)
    writers = (
        lambda stream: stream.write(json.dumps(report, indent=2, ensure_ascii=False, default=str) + '\n'),
        lambda stream: stream.write(report_markdown.render(report)),
        lambda stream: stream.write(report_html.render(report, rows)),
        lambda stream: report_csv.write(stream, rows),
    )
    paths = []
    for name, writer in zip(FILES, writers):
        path = os.path.join(directory, name)
        handle, temporary = tempfile.mkstemp(prefix='.' + name, dir=directory)
        try:
            with io.open(handle, 'w', encoding='utf-8', newline='') as stream:
                writer(stream)
            os.chmod(temporary, 0o644)
            os.rename(temporary, path)
        except Exception:
            os.unlink(temporary)
            raise
        paths.append(path)
    return paths


def copy(paths, destination):
    """Copy the written files into ``destination`` (created when missing); return the copies' paths."""
    if not os.path.isdir(destination):
        os.makedirs(destination)
    copies = []
    for path in paths:
        target = os.path.join(destination, os.path.basename(path))
        shutil.copyfile(path, target)
        os.chmod(target, 0o644)
        copies.append(target)
    return copies
