# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The floor: a plain Python script with one requests.Session making exactly the HTTP calls the
modules make for a chore, with no Ansible, no validation beyond what the API needs, and no retries.

    python floor.py wfbss_reset    --url URL --vars VARS.json [--concurrency 1]
    python floor.py koophone_reset --url URL --vars VARS.json [--concurrency 1]
    python floor.py iot_bulk       --url URL --vars VARS.json [--batch-size 500] [--rpm 180]

VARS.json is the extra-vars file the uri-loop playbooks read (the same items, IoT devices in the
API's field names). The script exits 1 on the first call that does not succeed. With --rpm it paces itself with the same token bucket as the
module (burst = rpm) plus a one-token margin (see Bucket), so a rate-limited run is compared like for like.
"""
import argparse
import base64
import hashlib
import hmac
import json
import sys
import threading
import time
import uuid

import requests


class Bucket:
    """Token bucket: ``per_minute`` a minute, bursts of ``per_minute``, minus a ``margin`` of tokens.

    The vendor's bucket starts when our first call reaches it, so a client bucket that is an exact
    copy of it is always slightly ahead: at the end of the burst it sends a call the vendor answers
    429 (measured: margin 0 gets one 429 in almost every run). The refill clock starts at the first
    acquire, and ``margin`` tokens are held back (one token = 60/per_minute seconds, once per run).
    """

    def __init__(self, per_minute, margin=1.0):
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute) - margin
        self.tokens = self.capacity
        self.updated = None
        self.lock = threading.Lock()

    def acquire(self):
        with self.lock:
            now = time.monotonic()
            if self.updated is None:
                self.updated = now
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= 1:
                self.tokens -= 1
                return
            wait = (1 - self.tokens) / self.rate
            self.tokens = 0.0
            self.updated = now + wait
        time.sleep(wait)


def batches(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def check(response):
    if response.status_code >= 300:
        sys.exit('HTTP %d: %s' % (response.status_code, response.text[:200]))
    return response.json()


def each_batch(session, items, size, send, concurrency):
    """send(session, batch) for every batch: in order on one session, or on ``concurrency`` threads
    with one session each (a measurement of what concurrency across batches would gain)."""
    if concurrency <= 1:
        for batch in batches(items, size):
            send(session, batch)
        return
    from concurrent.futures import ThreadPoolExecutor  # pylint: disable=import-outside-toplevel
    local = threading.local()
    sessions = []

    def work(batch):
        if not hasattr(local, 'session'):
            local.session = requests.Session()
            local.session.headers.update(session.headers)
            sessions.append(local.session)
        send(local.session, batch)

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(work, batches(items, size)))
    for item in sessions:
        item.close()


def wfbss_reset(session, url, data, args):
    base = '/SMPI/v2.8/service/wfbss/api/commands/reset'
    secret = data['wfbss_secret_key'].encode()

    def send(session, batch):
        request_uri = '%s?type=counter&cids=%s' % (base, ','.join(batch))
        now = str(int(time.time()))
        digest = hmac.new(secret, (now + 'POST' + request_uri).encode(), hashlib.sha256).digest()
        headers = {'x-access-token': data['wfbss_access_token'], 'x-posix-time': now,
                   'x-traceid': str(uuid.uuid4()), 'x-signature': base64.b64encode(digest).decode(),
                   'content-type': 'application/json; charset=utf-8'}
        answer = check(session.post(url + request_uri, headers=headers, timeout=30))
        if not answer.get('task', {}).get('id'):
            sys.exit('no task id: %r' % answer)

    each_batch(session, data['customer_ids'], 10, send, args.concurrency)


def koophone_reset(session, url, data, args):
    session.headers['X-Auth-Token'] = data['koophone_token']

    def send(session, batch):
        answer = check(session.post(url + '/v1/instances/batch-reset', json={'instance_ids': batch},
                                    headers={'x-request-id': str(uuid.uuid4())}, timeout=30))
        if str(answer.get('error_code')) != '0':
            sys.exit('KooPhone error: %r' % answer)

    each_batch(session, data['instance_ids'], 32, send, args.concurrency)


def iot_bulk(session, url, data, args):
    session.headers.update({'X-Key-Id': data['iot_key_id'], 'X-Access-Key': data['iot_access_key']})
    bucket = Bucket(args.rpm, args.rate_margin) if args.rpm else None
    params = {'customerid': data['iot_customer_id'], 'updateSource': 'cellular'}
    for batch in batches(data['devices'], args.batch_size):
        if bucket:
            bucket.acquire()
        answer = check(session.put(url + '/pub/v4.0/device/bulkUpdate', params=params, json={'devicelist': batch},
                                   timeout=30))
        if answer.get('code') not in (1, '1'):
            sys.exit('IoT error: %r' % answer)


CHORES = {'wfbss_reset': wfbss_reset, 'koophone_reset': koophone_reset, 'iot_bulk': iot_bulk}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('chore', choices=sorted(CHORES))
    parser.add_argument('--url', required=True)
    parser.add_argument('--vars', required=True)
    parser.add_argument('--batch-size', type=int, default=500)
    parser.add_argument('--concurrency', type=int, default=1,
                        help='WFBS/KooPhone: send batches on this many threads (default 1: in order, one session)')
    parser.add_argument('--rpm', type=int, default=0, help='pace IoT calls to this many a minute')
    parser.add_argument('--rate-margin', type=float, default=1.0, help='tokens held back (0 = an exact copy of the vendor bucket)')
    args = parser.parse_args()
    with open(args.vars, encoding='utf-8') as handle:
        data = json.load(handle)
    with requests.Session() as session:
        CHORES[args.chore](session, args.url.rstrip('/'), data, args)


if __name__ == '__main__':
    main()
