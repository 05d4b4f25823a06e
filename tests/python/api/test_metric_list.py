"""One list of ranked Leader Hub metrics: the dbt var `leader_hub_ranked_metrics`.

The API builds its `metric` parameter and ranking queries from the var; these tests keep
the other places that name the metrics in step with it: the marts' contracts, the metric
macros, the response types, the OpenAPI document and the web page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import yaml

from api.leader_hub.queries import METRIC_COLUMNS
from api.leader_hub.schemas import MarketProviderMetrics, ProviderMetrics
from api.params import RANKED_METRICS, Metric
from kpi.project import dbt_var

ROOT = Path(__file__).resolve().parents[3]
APP_JS = ROOT / "api" / "web" / "static" / "app.js"


def _model_columns(name: str) -> list[str]:
    """The contract columns of one model, wherever its YAML lives under models/."""
    for path in sorted((ROOT / "models").rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models") or []:
            if model.get("name") == name:
                return [column["name"] for column in model.get("columns") or []]
    raise AssertionError(f"no YAML declares the model {name}")


def test_the_api_metric_list_is_the_dbt_var():
    assert list(RANKED_METRICS) == list(dbt_var("leader_hub_ranked_metrics"))
    assert list(get_args(Metric)) == list(RANKED_METRICS)
    assert list(METRIC_COLUMNS) == list(RANKED_METRICS)


def test_the_mart_ranks_exactly_the_listed_metrics():
    columns = _model_columns("market_provider_metrics")
    for metric, names in METRIC_COLUMNS.items():
        assert set(names) <= set(columns), metric
    ranks = {c.removesuffix("_rank") for c in columns if c.endswith("_rank")}
    ranked = {c.removeprefix("ranked_providers_") for c in columns if c.startswith("ranked_")}
    assert ranks == ranked == set(RANKED_METRICS)


def test_the_provider_mart_carries_every_listed_metric():
    columns = set(_model_columns("provider_metrics"))
    for metric, names in RANKED_METRICS.items():
        assert {names["value"], names["week_change"]} <= columns, metric


def test_each_metric_value_has_its_macro():
    """macros/metrics/ defines one macro per metric, named after its value column."""
    macros = "".join(p.read_text() for p in sorted((ROOT / "macros").rglob("*.sql")))
    defined = set(re.findall(r"\{%-?\s*macro\s+(\w+)\s*\(", macros))
    for metric, names in RANKED_METRICS.items():
        assert names["value"] in defined, metric


def test_the_response_types_carry_every_listed_metric():
    market_provider = set(MarketProviderMetrics.__struct_fields__)
    provider = set(ProviderMetrics.__struct_fields__)
    for metric, names in METRIC_COLUMNS.items():
        assert set(names) <= market_provider, metric
        assert set(names[:2]) <= provider, metric


def test_the_openapi_metric_enum_is_the_list(client: Any):
    document = client.get("/schema/openapi.json").json()
    ranking = document["paths"]["/v1/leader-hub-metrics/markets/{market_id}/providers"]["get"]
    (metric,) = [p["schema"] for p in ranking["parameters"] if p["name"] == "metric"]
    assert metric["enum"] == list(RANKED_METRICS)
    assert metric["default"] in RANKED_METRICS


def _page_metrics() -> dict[str, dict[str, str]]:
    """app.js's METRICS object: metric -> its string properties."""
    source = APP_JS.read_text()
    block = re.search(r"const METRICS = \{\n(.*?)\n  \};", source, re.S)
    assert block, "app.js has no METRICS object"
    entries = re.findall(r"^    (\w+): \{(.*?)^    \},", block.group(1), re.S | re.M)
    return {name: dict(re.findall(r'(\w+): "([^"]*)"', body)) for name, body in entries}


def test_the_web_page_ranks_the_listed_metrics_by_the_same_columns():
    page = _page_metrics()
    ranked = {name: props for name, props in page.items() if "rank" in props}
    assert set(ranked) == set(RANKED_METRICS)
    for metric, (value, change, rank, count) in METRIC_COLUMNS.items():
        props = ranked[metric]
        assert (props["value"], props["change"], props["rank"], props["ranked"]) == (
            value,
            change,
            rank,
            count,
        ), metric


def test_the_web_page_tabs_ask_only_for_listed_metrics():
    source = APP_JS.read_text()
    tabs = re.search(r"const TABS = \{(.*?)\};", source, re.S)
    assert tabs
    asked = set(re.findall(r'"(\w+)"', tabs.group(1)))
    assert asked and asked <= set(RANKED_METRICS)
