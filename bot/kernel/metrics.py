"""Counters for operators: a small metrics registry the kernel and adapters count into.

The registry is deliberately tiny and dependency-free: plain dicts, touched only from the event loop
(no locks needed), rendered in the Prometheus text exposition format 0.0.4. Label values must come from
small, fixed sets (platform names, outcomes, route names, record kinds), never from user input.

"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Iterable, Sequence
from typing import TypeVar

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

LabelValues = tuple[str, ...]


def _number(value: float) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "+Inf" if value > 0 else "-Inf"
        return repr(value)
    return str(value)


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n")


def _labels(names: Sequence[str], values: Sequence[str]) -> str:
    if not names:
        return ""
    return "{" + ",".join(f'{name}="{_escape_label(value)}"' for name, value in zip(names, values)) + "}"


class _Metric:
    kind = "untyped"

    def __init__(self, name: str, help: str, labelnames: Sequence[str] = ()) -> None:
        self.name, self.help, self.labelnames = name, help, tuple(labelnames)

    def _key(self, labels: dict[str, object]) -> LabelValues:
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name} takes labels {self.labelnames}, got {tuple(labels)}")
        return tuple(str(labels[name]) for name in self.labelnames)

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {_escape_help(self.help)}", f"# TYPE {self.name} {self.kind}"]

    def samples(self) -> Iterable[str]:
        raise NotImplementedError

    def render(self) -> str:
        return "\n".join([*self.header(), *self.samples()]) + "\n"


class Counter(_Metric):
    """A count that only goes up, one per label set."""

    kind = "counter"

    def __init__(self, name: str, help: str, labelnames: Sequence[str] = ()) -> None:
        super().__init__(name, help, labelnames)
        self.values: dict[LabelValues, float] = {} if labelnames else {(): 0}

    def inc(self, amount: float = 1, **labels: object) -> None:
        if amount < 0:
            raise ValueError(f"{self.name}: a counter cannot go down")
        key = self._key(labels)
        self.values[key] = self.values.get(key, 0) + amount

    def value(self, **labels: object) -> float:
        return self.values.get(self._key(labels), 0)

    def samples(self) -> Iterable[str]:
        for key in sorted(self.values):
            yield f"{self.name}{_labels(self.labelnames, key)} {_number(self.values[key])}"


class Gauge(Counter):
    """A value that is set (a timestamp, a size), one per label set."""

    kind = "gauge"

    def set(self, value: float, **labels: object) -> None:
        self.values[self._key(labels)] = value

    def inc(self, amount: float = 1, **labels: object) -> None:
        key = self._key(labels)
        self.values[key] = self.values.get(key, 0) + amount


class Histogram(_Metric):
    """Observations counted into fixed buckets; rendered cumulatively, with `_sum` and `_count`."""

    kind = "histogram"

    def __init__(
        self, name: str, help: str, labelnames: Sequence[str] = (), buckets: Sequence[float] = DEFAULT_BUCKETS
    ) -> None:
        super().__init__(name, help, labelnames)
        if "le" in self.labelnames:
            raise ValueError("'le' is reserved for histogram buckets")
        bounds = sorted(float(bound) for bound in buckets)
        if not bounds or bounds[-1] != math.inf:
            bounds.append(math.inf)
        self.buckets = tuple(bounds)
        self.counts: dict[LabelValues, list[int]] = {}
        self.sums: dict[LabelValues, float] = {}

    def observe(self, value: float, **labels: object) -> None:
        key = self._key(labels)
        counts = self.counts.setdefault(key, [0] * len(self.buckets))
        for index, bound in enumerate(self.buckets):
            if value <= bound:
                counts[index] += 1
                break
        self.sums[key] = self.sums.get(key, 0.0) + value

    def count(self, **labels: object) -> int:
        return sum(self.counts.get(self._key(labels), ()))

    def samples(self) -> Iterable[str]:
        names = (*self.labelnames, "le")
        for key in sorted(self.counts):
            cumulative = 0
            for bound, count in zip(self.buckets, self.counts[key]):
                cumulative += count
                yield f"{self.name}_bucket{_labels(names, (*key, _number(bound)))} {cumulative}"
            yield f"{self.name}_sum{_labels(self.labelnames, key)} {_number(self.sums[key])}"
            yield f"{self.name}_count{_labels(self.labelnames, key)} {cumulative}"


M = TypeVar("M", bound=_Metric)


class Registry:
    """The metrics of one process, rendered in registration order."""

    def __init__(self) -> None:
        self.metrics: dict[str, _Metric] = {}

    def register(self, metric: M) -> M:
        if metric.name in self.metrics:
            raise ValueError(f"metric {metric.name} is already registered")
        self.metrics[metric.name] = metric
        return metric

    def counter(self, name: str, help: str, labelnames: Sequence[str] = ()) -> Counter:
        return self.register(Counter(name, help, labelnames))

    def gauge(self, name: str, help: str, labelnames: Sequence[str] = ()) -> Gauge:
        return self.register(Gauge(name, help, labelnames))

    def histogram(
        self, name: str, help: str, labelnames: Sequence[str] = (), buckets: Sequence[float] = DEFAULT_BUCKETS
    ) -> Histogram:
        return self.register(Histogram(name, help, labelnames, buckets))

    def get(self, name: str) -> _Metric:
        return self.metrics[name]

    def render(self) -> str:
        return "".join(metric.render() for metric in self.metrics.values())


METRICS = Registry()
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
    "yanxiu_send_errors_total", "Outgoing message pieces that failed to send.", ("platform",)
)
FLOOD_WAITS = METRICS.counter(
    "yanxiu_flood_waits_total",
    "Waits forced by the platform's flood control (HTTP 429 RetryAfter).",
    ("platform",),
)
LAST_UPDATE = METRICS.gauge(
    "yanxiu_last_update_timestamp_seconds", "Unix time the last inbound message finished handling."
)


def record_update(platform: str, route: str, outcome: str, seconds: float) -> None:
    """What the dispatcher knows when an update is done: its outcome, how long it took, and when."""
    UPDATES.inc(platform=platform, outcome=outcome)
    HANDLER_SECONDS.observe(seconds, route=route)
    LAST_UPDATE.set(time.time())


def last_update_age() -> float | None:
    """Seconds since the last handled update, None before the first one."""
    last = LAST_UPDATE.value()
    return round(max(0.0, time.time() - last), 1) if last else None
