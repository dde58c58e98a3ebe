"""The rate-limit counters on Redis: one round trip for several, each with its TTL, and
counted like the cache API counts (reset and the Retry-After hint still apply)."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.core.cache import cache

from core import ratelimit


def _sent_commands(monkeypatch) -> list[str]:
    client = ratelimit._raw_redis()
    assert client is not None, "these tests need Redis (REDIS_URL)"
    connection_class = client.connection_pool.connection_class
    sent: list[str] = []
    original = connection_class.send_packed_command

    def counting(self, command, *args, **kwargs):
        sent.append("packet")
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(connection_class, "send_packed_command", counting)
    return sent


def test_both_sign_in_counters_cost_one_round_trip(settings, monkeypatch):
    settings.LOGIN_RATE_LIMIT_PER_EMAIL = 5
    settings.LOGIN_RATE_LIMIT_PER_IP = 5
    sent = _sent_commands(monkeypatch)
    assert ratelimit.allowed_all(("login:email", "ada@example.com"), ("login:ip", "192.0.2.1"))
    assert sent == ["packet"]


def test_each_counter_is_counted_even_when_another_refuses(settings):
    settings.LOGIN_RATE_LIMIT_PER_EMAIL = 2
    settings.LOGIN_RATE_LIMIT_PER_IP = 100
    pair = (("login:email", "ada@example.com"), ("login:ip", "192.0.2.1"))
    assert [ratelimit.allowed_all(*pair) for _ in range(4)] == [True, True, False, False]
    ip_key = cache.make_key(ratelimit._key("login:ip", "192.0.2.1"))
    client = ratelimit._raw_redis()
    assert int(client.get(ip_key)) == 4
    # the counters carry their window as TTL, and the cache API reads and resets them
    assert 0 < client.ttl(ip_key) <= int(settings.LOGIN_RATE_WINDOW.total_seconds())
    assert cache.get(ratelimit._key("login:email", "ada@example.com")) == 4
    ratelimit.reset("login:email", "ada@example.com")
    assert ratelimit.allowed_all(*pair)


def test_racers_never_get_more_than_the_limit():
    window = timedelta(minutes=1)
    results: list[bool] = []
    lock = threading.Lock()

    def attempt() -> None:
        ok = ratelimit.hit("race", "ada@example.com", limit=5, window=window)
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results).count(True) == 5
