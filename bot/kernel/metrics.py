"""Counters for operators, on prometheus_client: what the kernel, adapters and scheduler count.

The names the rest of the code uses stay small and label-first (`UPDATES.inc(platform=…, outcome=…)`,
`record_update(…)`); each metric wraps a prometheus_client metric in a registry of its own, so tests
can build a fresh `Registry` and the process registry also carries the process, platform and GC
collectors. Label values must come from small, fixed sets (platform names, outcomes, route names,
record kinds), never from user input.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TypeVar

import prometheus_client
from prometheus_client import CollectorRegistry, generate_latest

CONTENT_TYPE = prometheus_client.CONTENT_TYPE_LATEST
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

# One series per counter, not two: `_created` timestamps only double what a scrape has to carry.
prometheus_client.disable_created_metrics()


class _Metric:
    kind = "untyped"

    def __init__(self, registry: Registry, name: str, help: str, labelnames: Sequence[str] = ()) -> None:
        self.registry, self.name, self.help, self.labelnames = registry, name, help, tuple(labelnames)

    def _labels(self, labels: Mapping[str, object]) -> dict[str, str]:
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name} takes labels {self.labelnames}, got {tuple(labels)}")
        return {name: str(labels[name]) for name in self.labelnames}

    def _child(self, labels: Mapping[str, object]):
        values = self._labels(labels)
        return self.metric.labels(**values) if self.labelnames else self.metric

    def _sample(self, suffix: str, labels: Mapping[str, object]) -> float:
        found = self.registry.collectors.get_sample_value(self.name.removesuffix("_total") + suffix,
                                                          self._labels(labels))
        return found or 0


class Counter(_Metric):
    """A count that only goes up, one per label set."""

    kind = "counter"

    def __init__(self, registry: Registry, name: str, help: str, labelnames: Sequence[str] = ()) -> None:
        super().__init__(registry, name, help, labelnames)
        self.metric = prometheus_client.Counter(name, help, self.labelnames, registry=registry.collectors)

    def inc(self, amount: float = 1, **labels: object) -> None:
        if amount < 0:
            raise ValueError(f"{self.name}: a counter cannot go down")
        self._child(labels).inc(amount)

    def value(self, **labels: object) -> float:
        return self._sample("_total", labels)


class Gauge(_Metric):
    """A value that is set (a timestamp, a size), one per label set."""

    kind = "gauge"

    def __init__(self, registry: Registry, name: str, help: str, labelnames: Sequence[str] = ()) -> None:
        super().__init__(registry, name, help, labelnames)
        self.metric = prometheus_client.Gauge(name, help, self.labelnames, registry=registry.collectors)

    def set(self, value: float, **labels: object) -> None:
        self._child(labels).set(value)

    def inc(self, amount: float = 1, **labels: object) -> None:
        self._child(labels).inc(amount)

    def value(self, **labels: object) -> float:
        return self._sample("", labels)


class Histogram(_Metric):
    """Observations counted into fixed buckets; rendered cumulatively, with `_sum` and `_count`."""

    kind = "histogram"

    def __init__(self, registry: Registry, name: str, help: str, labelnames: Sequence[str] = (),
                 buckets: Sequence[float] = DEFAULT_BUCKETS) -> None:
        super().__init__(registry, name, help, labelnames)
        self.metric = prometheus_client.Histogram(name, help, self.labelnames, registry=registry.collectors,
                                                  buckets=tuple(buckets))

    def observe(self, value: float, **labels: object) -> None:
        self._child(labels).observe(value)

    def count(self, **labels: object) -> int:
        return int(self._sample("_count", labels))


M = TypeVar("M", bound=_Metric)


class Registry:
    """The metrics of one process; `with_process_metrics` adds CPU, memory, file descriptors, GC."""

    def __init__(self, *, with_process_metrics: bool = False) -> None:
        self.collectors = CollectorRegistry(auto_describe=True)
        self.metrics: dict[str, _Metric] = {}
        if with_process_metrics:
            prometheus_client.ProcessCollector(registry=self.collectors)
            prometheus_client.PlatformCollector(registry=self.collectors)
            prometheus_client.GCCollector(registry=self.collectors)

    def _add(self, metric: M) -> M:
        self.metrics[metric.name] = metric
        return metric

    def counter(self, name: str, help: str, labelnames: Sequence[str] = ()) -> Counter:
        return self._add(Counter(self, name, help, labelnames))

    def gauge(self, name: str, help: str, labelnames: Sequence[str] = ()) -> Gauge:
        return self._add(Gauge(self, name, help, labelnames))

    def histogram(self, name: str, help: str, labelnames: Sequence[str] = (),
                  buckets: Sequence[float] = DEFAULT_BUCKETS) -> Histogram:
        return self._add(Histogram(self, name, help, labelnames, buckets))

    def get(self, name: str) -> _Metric:
        return self.metrics[name]

    def render(self) -> str:
        """The Prometheus text exposition format (what `/metrics` serves)."""
        return generate_latest(self.collectors).decode()


METRICS = Registry(with_process_metrics=True)
UPDATES = METRICS.counter(
    "yanxiu_updates_total", "Inbound messages handled, by platform and outcome.", ("platform", "outcome")
)
HANDLER_SECONDS = METRICS.histogram(
    "yanxiu_handler_seconds", "Time to handle one inbound message completely, by route.", ("route",)
)
RECORDS = METRICS.counter(
    "yanxiu_records_total", "Records stored (reflections, cases, ...), by kind.", ("kind",)
)
REMINDERS_SENT = METRICS.counter(
    "yanxiu_reminders_sent_total",
    "Outbox entries (reminders, session results) delivered, by kind.",
    ("kind",),
)
SEND_ERRORS = METRICS.counter(
    "yanxiu_send_errors_total", "Outgoing message pieces that failed to send, by platform.", ("platform",)
)
FLOOD_WAITS = METRICS.counter(
    "yanxiu_flood_waits_total",
    "Waits forced by the platform's flood control (HTTP 429 RetryAfter).",
    ("platform",),
)
LAST_UPDATE = METRICS.gauge(
    "yanxiu_last_update_timestamp_seconds", "Unix time the last inbound message finished handling."
)
LAST_SWEEP = METRICS.gauge(
    "yanxiu_last_sweep_timestamp_seconds", "Unix time the scheduler last finished looking for due work."
)
OUTBOX_BACKLOG = METRICS.gauge(
    "yanxiu_outbox_backlog", "Outbox entries waiting to be sent (not sent, not expired), read at each scrape."
)
OUTBOX_OLDEST_AGE = METRICS.gauge(
    "yanxiu_outbox_oldest_due_age_seconds",
    "How long the oldest waiting outbox entry has been due; 0 when nothing waits.",
)


def record_update(platform: str, route: str, outcome: str, seconds: float) -> None:
    """What the dispatcher knows when an update is done: its outcome, how long it took, and when."""
    UPDATES.inc(platform=platform, outcome=outcome)
    HANDLER_SECONDS.observe(seconds, route=route)
    LAST_UPDATE.set(time.time())


def record_sweep() -> None:
    """The scheduler finished a sweep: a stale value here means reminders have stopped going out."""
    LAST_SWEEP.set(time.time())


def last_update_age() -> float | None:
    """Seconds since the last handled update, None before the first one."""
    last = LAST_UPDATE.value()
    return round(max(0.0, time.time() - last), 1) if last else None
