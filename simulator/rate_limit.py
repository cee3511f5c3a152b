"""Token buckets by key (e.g. one per tenant), as a vendor's per-tenant rate limit."""
from __future__ import annotations

import threading
import time


class TokenBucket:  # pylint: disable=too-few-public-methods
    """Refills `rate_per_minute / 60` tokens a second up to `burst`; each request takes one."""

    def __init__(self, rate_per_minute: float, burst: float) -> None:
        self.rate, self.burst = rate_per_minute, burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self) -> bool:
        """Take one token if there is one."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate / 60.0)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class RateLimiter:
    """Token buckets by key; a bucket is rebuilt when its parameters change."""

    def __init__(self) -> None:
        self.buckets: dict[str, TokenBucket] = {}
        self.lock = threading.Lock()

    def allow(self, key: str, rate_per_minute: float, burst: float) -> bool:
        """Take a token from the bucket `key`; False means the request is over the limit."""
        with self.lock:
            bucket = self.buckets.get(key)
            if bucket is None or (bucket.rate, bucket.burst) != (rate_per_minute, burst):
                bucket = self.buckets[key] = TokenBucket(rate_per_minute, burst)
            return bucket.take()

    def clear(self) -> None:
        """Forget all buckets (they refill to full on next use)."""
        with self.lock:
            self.buckets.clear()
