"""Metrics rendering, the health endpoint on a real database, and the counters the bot keeps."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
from datetime import timedelta
from types import SimpleNamespace

import aiohttp
import pytest
from telegram.error import RetryAfter

from bot.adapters.memory import MemoryAdapter
from bot.adapters.telegram import TelegramAdapter
from bot.kernel.adapter import RateLimited
from bot.ops.app import build
from bot.ops.config import ConfigError, load_settings
from bot.kernel.delivery import outgoing_to_json
from bot.kernel.messages import ChatKind, ChatRef, OutgoingMessage
from bot.ops.health import HealthServer
from bot.kernel.metrics import FLOOD_WAITS, HANDLER_SECONDS, METRICS, RECORDS, REMINDERS_SENT, SEND_ERRORS, Registry
from reminders.outbox import send_queued
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.repositories import Repositories
from tests.conftest import make_settings

REFLECTION = (
    "今天《分数的初步认识》一课，我先用分披萨的情境导入，学生兴趣很高，但在比较分数大小时讲得太快，"
    "部分学生没有跟上，下次要多留时间让学生动手操作。"
)
SAMPLE_LINE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_]\w*="(\\.|[^"\\])*",?)*\})? \S+$')


def sample(exposition: str, series: str) -> float:
    """The value of one series (`name{labels}` exactly as rendered) in exposition text; 0 if absent."""
    for line in exposition.splitlines():
        name, _, value = line.rpartition(" ")
        if name == series:
            return float(value)
    return 0.0


@pytest.fixture
async def server(chat):
    health = HealthServer(chat.app.session_factory, "127.0.0.1", 0)
    await health.start()
    try:
        yield health
    finally:
        await health.stop()


async def get(port: int, path: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}{path}") as response:
        return response.status, response.headers["Content-Type"], await response.text()


async def get_json(port: int, path: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}{path}") as response:
        return response.status, await response.json()


# --- rendering ---------------------------------------------------------------------------------


def test_renders_a_small_registry_exactly():
    registry = Registry()
    things = registry.counter("demo_things_total", "Things done.", ("kind",))
    things.inc(kind="b")
    things.inc(2, kind="a")
    registry.gauge("demo_temperature", "A gauge.").set(1.5)
    latency = registry.histogram("demo_seconds", "How long.", buckets=(0.1, 1.0))
    for value in (0.25, 0.5, 3):
        latency.observe(value)
    registry.counter("demo_unused_total", "Nothing yet.", ("platform",))

    assert registry.render() == (
        "# HELP demo_things_total Things done.\n"
        "# TYPE demo_things_total counter\n"
        'demo_things_total{kind="b"} 1.0\n'
        'demo_things_total{kind="a"} 2.0\n'
        "# HELP demo_temperature A gauge.\n"
        "# TYPE demo_temperature gauge\n"
        "demo_temperature 1.5\n"
        "# HELP demo_seconds How long.\n"
        "# TYPE demo_seconds histogram\n"
        'demo_seconds_bucket{le="0.1"} 0.0\n'
        'demo_seconds_bucket{le="1.0"} 2.0\n'
        'demo_seconds_bucket{le="+Inf"} 3.0\n'
        "demo_seconds_count 3.0\n"
        "demo_seconds_sum 3.75\n"
        "# HELP demo_unused_total Nothing yet.\n"
        "# TYPE demo_unused_total counter\n"
    )
    assert things.value(kind="a") == 2 and things.value(kind="c") == 0 and latency.count() == 3


def test_the_process_registry_carries_process_and_python_metrics():
    text = METRICS.render()
    for series in ("process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds",
                   "python_info", "python_gc_objects_collected_total"):
        assert f"# TYPE {series} " in text, series
    assert "_created" not in text  # one series per counter


def test_label_values_and_help_are_escaped():
    registry = Registry()
    counter = registry.counter("demo_total", 'Back\\slash and\nnewline "quoted".', ("name",))
    counter.inc(name='say "hi"\\now\nplease')
    lines = registry.render().splitlines()
    assert lines[0] == '# HELP demo_total Back\\\\slash and\\nnewline "quoted".'
    assert lines[2] == 'demo_total{name="say \\"hi\\"\\\\now\\nplease"} 1.0'
    assert SAMPLE_LINE.match(lines[2])


def test_histogram_buckets_are_cumulative_per_label_set():
    registry = Registry()
    histogram = registry.histogram("demo_seconds", "How long.", ("route",), buckets=(0.01, 0.1, 1.0))
    for value in (0.001, 0.01, 0.05, 0.2, 0.7, 9.0):
        histogram.observe(value, route="checkin")
    histogram.observe(0.02, route="join")
    text = registry.render()
    buckets = [
        sample(text, f'demo_seconds_bucket{{le="{le}",route="checkin"}}')
        for le in ("0.01", "0.1", "1.0", "+Inf")
    ]
    assert buckets == [2, 3, 5, 6]
    assert sample(text, 'demo_seconds_count{route="checkin"}') == 6
    assert sample(text, 'demo_seconds_sum{route="checkin"}') == pytest.approx(9.961)
    assert sample(text, 'demo_seconds_bucket{le="0.01",route="join"}') == 0
    assert sample(text, 'demo_seconds_bucket{le="0.1",route="join"}') == 1
    assert histogram.count(route="checkin") == 6


def test_wrong_labels_and_negative_counts_are_refused():
    registry = Registry()
    counter = registry.counter("demo_total", "Demo.", ("platform",))
    with pytest.raises(ValueError):
        counter.inc(kind="x")
    with pytest.raises(ValueError):
        counter.inc()
    with pytest.raises(ValueError):
        counter.inc(-1, platform="memory")
    with pytest.raises(ValueError):
        registry.counter("demo_total", "Again.")
    gauge = registry.gauge("demo_level", "Demo.", ("platform",))
    with pytest.raises(ValueError):
        gauge.set(1)


def test_the_global_registry_renders_valid_lines():
    for line in METRICS.render().splitlines():
        assert line.startswith(("# HELP ", "# TYPE ")) or SAMPLE_LINE.match(line), line
    assert "# TYPE yanxiu_last_update_timestamp_seconds gauge" in METRICS.render()


# --- the endpoint ------------------------------------------------------------------------------


async def test_healthz_and_livez_on_a_real_database(server):
    assert server.port > 0
    status, body = await get_json(server.port, "/healthz")
    assert status == 200
    assert body["status"] == "ok" and body["database"] == "ok"
    assert "last_update_age_seconds" in body
    assert await get_json(server.port, "/livez") == (200, {"status": "ok"})


async def test_metrics_count_messages_dispatched_through_the_bot(chat, server):
    series = 'yanxiu_updates_total{outcome="ok",platform="memory"}'
    status, content_type, before = await get(server.port, "/metrics")
    assert status == 200 and content_type.startswith("text/plain; version=")
    checkins_before = HANDLER_SECONDS.count(route="checkin")

    await chat.join("u1", "王芳")
    assert "签到成功" in await chat.one("签到")
    await chat.say("今天天气不错")  # chatter in a group: counted, not answered

    _, _, after = await get(server.port, "/metrics")
    assert sample(after, series) == sample(before, series) + 2
    assert sample(after, 'yanxiu_updates_total{outcome="chatter",platform="memory"}') >= 1
    assert HANDLER_SECONDS.count(route="checkin") == checkins_before + 1
    assert sample(after, 'yanxiu_handler_seconds_count{route="checkin"}') == checkins_before + 1
    assert sample(after, "yanxiu_last_update_timestamp_seconds") > 0
    _, body = await get_json(server.port, "/healthz")
    assert 0 <= body["last_update_age_seconds"] < 60


async def test_healthz_is_503_when_the_database_is_gone(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    engine = make_engine(f"sqlite+aiosqlite:///{folder / 'yanxiu.db'}")
    health = HealthServer(make_session_factory(engine), "127.0.0.1", 0)
    await health.start()
    try:
        assert (await get_json(health.port, "/healthz"))[0] == 200
        await engine.dispose()
        shutil.rmtree(folder)
        status, body = await get_json(health.port, "/healthz")
        assert status == 503
        assert body == {"status": "unavailable", "database": "OperationalError"}
        assert (await get_json(health.port, "/livez"))[0] == 200
    finally:
        await health.stop()
        await engine.dispose()


async def test_healthz_is_503_when_the_database_does_not_answer_in_time():
    class Stuck:
        async def __aenter__(self):
            await asyncio.sleep(10)

        async def __aexit__(self, *exc):
            return False

    health = HealthServer(lambda: Stuck(), "127.0.0.1", 0, db_timeout=0.05)
    await health.start()
    try:
        assert await get_json(health.port, "/healthz") == (
            503,
            {"status": "unavailable", "database": "TimeoutError"},
        )
    finally:
        await health.stop()


async def test_run_serves_health_while_the_bot_runs_and_stops_after(sqlite_url, clock):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    seen: list[int] = []

    class Probing(MemoryAdapter):
        async def run(self, on_message) -> None:
            seen.append((await get_json(port, "/livez"))[0])
            seen.append((await get_json(port, "/healthz"))[0])

    engine = make_engine(sqlite_url)
    await upgrade(engine)
    app = build(make_settings(sqlite_url, health_port=port), Probing(), clock=clock, engine=engine)
    try:
        await app.run()
    finally:
        await app.close()
    assert seen == [200, 200]
    with pytest.raises(aiohttp.ClientConnectionError):
        await get_json(port, "/livez")


def test_health_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("YANXIU_HEALTH_PORT", "9100")
    monkeypatch.setenv("YANXIU_HEALTH_LISTEN", "0.0.0.0")
    settings = load_settings(_env_file=None, platform="console")
    assert (settings.health_listen, settings.health_port) == ("0.0.0.0", 9100)
    monkeypatch.setenv("YANXIU_HEALTH_PORT", "70000")
    with pytest.raises(ConfigError, match="YANXIU_HEALTH_PORT"):
        load_settings(_env_file=None, platform="console")
    monkeypatch.delenv("YANXIU_HEALTH_PORT")
    assert load_settings(_env_file=None, platform="console").health_port is None


# --- what the bot counts -----------------------------------------------------------------------


async def test_records_and_send_errors_are_counted(chat):
    await chat.join("u1", "王芳")
    records = RECORDS.value(kind="reflection")
    errors = SEND_ERRORS.value(platform="memory")
    await chat.one(f"反思：{REFLECTION}")
    assert RECORDS.value(kind="reflection") == records + 1

    chat.adapter.fail_next = True
    await chat.say("签到")
    assert SEND_ERRORS.value(platform="memory") == errors + 1


async def test_outbox_deliveries_are_counted_by_kind(chat):
    group = ChatRef("memory", "group-1", ChatKind.GROUP)
    stored = [outgoing_to_json(OutgoingMessage(chat=group, text="明晚 19:30 网络研讨"))]
    async with chat.app.session_factory() as session, session.begin():
        await Repositories(session).outbox.enqueue("demo:1", "session_reminder", stored, chat.clock.now())
    before = REMINDERS_SENT.value(kind="session_reminder")
    assert await send_queued(chat.app.session_factory, chat.app.dispatcher.delivery, chat.clock) == 1
    assert REMINDERS_SENT.value(kind="session_reminder") == before + 1
    assert [sent.text for sent in chat.adapter.sent][-1] == "明晚 19:30 网络研讨"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_telegram_flood_waits_are_counted():
    adapter = TelegramAdapter("123:ABC")
    attempts: list[int] = []

    async def flooded_once(message):
        attempts.append(1)
        if len(attempts) == 1:
            raise RetryAfter(timedelta(seconds=0))
        return SimpleNamespace(message_id=7)

    adapter._send_once = flooded_once
    before = FLOOD_WAITS.value(platform="telegram")
    message = OutgoingMessage(chat=ChatRef("telegram", "-100", ChatKind.GROUP), text="hi")
    with pytest.raises(RateLimited):  # the delivery's pacer waits and sends again
        await adapter.send(message)
    await adapter.send(message)
    assert len(attempts) == 2
    assert FLOOD_WAITS.value(platform="telegram") == before + 1


async def test_metrics_show_the_outbox_backlog_its_oldest_item_and_the_last_sweep(chat, server):
    from bot.kernel.metrics import LAST_SWEEP
    from reminders.scheduler import session_env
    from reminders.planner import sweep

    group = ChatRef("memory", "group-1", ChatKind.GROUP)
    stored = [outgoing_to_json(OutgoingMessage(chat=group, text="明晚 19:30 网络研讨"))]
    async with chat.app.session_factory() as session, session.begin():
        outbox = Repositories(session).outbox
        await outbox.enqueue("demo:old", "session_reminder", stored, chat.clock.now() - timedelta(minutes=10))
        await outbox.enqueue("demo:new", "session_reminder", stored, chat.clock.now())
    _, _, text = await get(server.port, "/metrics")
    assert sample(text, "yanxiu_outbox_backlog") == 2
    assert sample(text, "yanxiu_outbox_oldest_due_age_seconds") >= 600  # the clock is fixed in the past

    before = LAST_SWEEP.value()
    await sweep(chat.app.session_factory, chat.app.dispatcher.delivery, session_env(chat.app), chat.clock)
    _, _, text = await get(server.port, "/metrics")
    assert sample(text, "yanxiu_outbox_backlog") == 0
    assert sample(text, "yanxiu_outbox_oldest_due_age_seconds") == 0
    assert sample(text, "yanxiu_last_sweep_timestamp_seconds") > before
