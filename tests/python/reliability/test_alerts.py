"""kpi daily's alerts (SPEC §14), against a local webhook receiver and the real app
database; the end-to-end red-build case is in test_faults.py."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from ops_support import LocalHttp

from kpi import alerts
from kpi.embedded import Connections
from kpi.settings import Settings, SettingsError


def _run_results(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    results = [
        {"unique_id": "model.kpi.market_metrics", "status": "error", "message": "Garcia"},
        {"unique_id": "test.kpi.not_null_visits_id", "status": "fail", "message": "ATH-1"},
        {"unique_id": "model.kpi.providers", "status": "success", "message": None},
        {"unique_id": "model.kpi.later", "status": "skipped", "message": None},
    ]
    (path / "run_results.json").write_text(json.dumps({"results": results}))


def test_a_red_build_alert_names_the_failed_nodes_and_nothing_else(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run_results(tmp_path / "target")
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    receiver = LocalHttp()
    try:
        configured = dataclasses.replace(settings, alert_webhook_url=receiver.url)
        assert alerts.post(configured, alerts.red_build_text(configured, date(2026, 11, 20)))
    finally:
        receiver.stop()
    (message,) = receiver.posted
    assert set(message) == {"text"}  # Slack's incoming-webhook shape
    text = message["text"]
    assert "2026-11-20 is red" in text and "Failed nodes (2)" in text
    assert "model.kpi.market_metrics" in text and "test.kpi.not_null_visits_id" in text
    assert "providers" not in text and "later" not in text
    assert "Garcia" not in text and "ATH-1" not in text  # never a failure message


def test_an_unreachable_webhook_is_a_warning_not_a_crash(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    receiver = LocalHttp()
    receiver.stop()
    configured = dataclasses.replace(settings, alert_webhook_url=receiver.url)
    assert alerts.post(configured, "hello") is False
    assert "the alert was not delivered" in capsys.readouterr().err
    assert alerts.post(dataclasses.replace(settings, alert_webhook_url=None), "x") is False


def test_stale_data_is_measured_from_the_published_as_of_date(
    settings: Settings, connections: Connections, published: date
) -> None:
    start = datetime.combine(published, datetime.min.time(), tzinfo=UTC)
    fresh = alerts.stale_text(settings, connections.app_dsn, now=start + timedelta(hours=35))
    assert fresh is None
    stale = alerts.stale_text(settings, connections.app_dsn, now=start + timedelta(hours=37))
    assert stale is not None and f"as of {published.isoformat()}, 37 h old" in stale
    longer = dataclasses.replace(settings, stale_after_hours=48)
    assert alerts.stale_text(longer, connections.app_dsn, now=start + timedelta(hours=37)) is None


def test_alert_settings_are_validated(tmp_path: Path) -> None:
    base = {"KPI_DATA_DIR": str(tmp_path)}
    with pytest.raises(SettingsError, match="KPI_ALERT_WEBHOOK_URL must be an https"):
        Settings.from_env(base | {"KPI_ALERT_WEBHOOK_URL": "hooks.slack.com/x"})
    with pytest.raises(SettingsError, match="KPI_STALE_AFTER_HOURS must be a whole number"):
        Settings.from_env(base | {"KPI_STALE_AFTER_HOURS": "-1"})
    parsed = Settings.from_env(base | {"KPI_STALE_AFTER_HOURS": "12"})
    assert (parsed.stale_after_hours, parsed.alert_webhook_url) == (12, None)
