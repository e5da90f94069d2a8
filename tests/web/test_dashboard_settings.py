"""Dashboard settings: off by default, one clear line when half set, the secret never shown."""

from __future__ import annotations

import pytest

from bot.ops.config import ConfigError, load_settings

BASE = {"_env_file": None, "platform": "console"}


def test_the_dashboard_is_off_unless_configured():
    settings = load_settings(**BASE)
    assert settings.dashboard_port is None and settings.dashboard_url is None


@pytest.mark.parametrize(("values", "named"), [
    ({"dashboard_port": 8090}, "YANXIU_DASHBOARD_URL is required"),
    ({"dashboard_url": "https://bot.example.org"}, "YANXIU_DASHBOARD_SECRET of at least 16 characters"),
    ({"dashboard_url": "https://bot.example.org", "dashboard_secret": "short"}, "YANXIU_DASHBOARD_SECRET"),
    ({"dashboard_url": "bot.example.org", "dashboard_secret": "x" * 20}, "YANXIU_DASHBOARD_URL"),
])
def test_half_a_configuration_stops_start_up_with_one_line(values, named):
    with pytest.raises(ConfigError) as problem:
        load_settings(**BASE, **values)
    assert named in str(problem.value) and "\n" not in str(problem.value)


def test_the_secret_is_never_printed():
    secret = "a-long-enough-dashboard-secret"
    settings = load_settings(**BASE, dashboard_url="https://bot.example.org/", dashboard_port=8090,
                             dashboard_secret=secret)
    assert settings.dashboard_url == "https://bot.example.org"
    assert secret not in repr(settings) and secret not in str(settings.model_dump())
