# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the chore summaries share: reading registered loop results, and wording counts and failures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def loop_results(registered):
    """The per-item results of a registered loop (a list of them, or the registered dict), skipped ones left out."""
    if isinstance(registered, dict):
        registered = registered.get('results') or []
    return [result for result in registered or [] if isinstance(result, dict) and not result.get('skipped')]


def failure_text(result):
    """A failed module result's message on one line."""
    return ' '.join(str(result.get('msg') or 'failed').split())


def chore_failure(scope, step, msg, **extra):
    """One entry of a chore's ``failures``: where, in which step, what happened (and what it concerns)."""
    failure = dict(scope=scope, step=step, msg=msg)
    failure.update(extra)
    return failure


def count(number, noun, plural=None):
    """'1 reset', '2 resets' (or the plural given)."""
    return '%d %s' % (number, noun if number == 1 else (plural or noun + 's'))
