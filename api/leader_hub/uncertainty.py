"""How much of a change is noise (SPEC §12 "Uncertainty"): the fields the API adds next
to every visit metric it returns — the 95 % interval (``<value>_ci_low``/``_ci_high``),
the count it rests on (``visit_count``; ``survey_answer_count`` for NPS) and whether the
week change is within noise (``<week change>_within_noise``). All computed by dbt
(macros/metrics/leader_hub_uncertainty.sql); here they are only named and typed, once,
for the structs (:func:`with_uncertainty`) and the statements (:func:`select_list`).
On-task % is a shift metric and has none.
"""

from __future__ import annotations

from typing import Any

import msgspec

from api.params import RANKED_METRICS

# A visit metric's value column -> its week-change column (the marts' names)
WEEK_CHANGES: dict[str, str] = {
    "on_scene_time_median_seconds": "on_scene_time_week_change_seconds",
    "chart_closure_rate": "chart_closure_rate_week_change",
    "survey_capture_rate": "survey_capture_rate_week_change",
    "net_promoter_score_average": "net_promoter_score_week_change",
    "escalation_rate": "escalation_rate_week_change",
    "abx_prescribing_rate": "abx_prescribing_rate_week_change",
}
LEADER_METRICS = tuple(WEEK_CHANGES)[:4]  # market and market-provider rows
PROVIDER_METRICS = tuple(WEEK_CHANGES)  # a provider's overall row
COUNTS = ("visit_count", "survey_answer_count")
# The count a metric's interval rests on
COUNT_OF = {value: "visit_count" for value in WEEK_CHANGES} | {
    "net_promoter_score_average": "survey_answer_count"
}


def columns(values: tuple[str, ...]) -> list[str]:
    """The uncertainty columns of metrics ``values``, counts first, in struct order."""
    names = list(COUNTS)
    for value in values:
        names += [f"{value}_ci_low", f"{value}_ci_high", f"{WEEK_CHANGES[value]}_within_noise"]
    return names


def _type(name: str) -> Any:
    if name.endswith("_within_noise"):
        return bool | None
    if name in COUNTS or name.startswith("on_scene_time_median_seconds"):
        return int | None
    return float | None


def with_uncertainty(base: type[msgspec.Struct], values: tuple[str, ...]) -> type:
    """``base`` with the uncertainty fields of ``values`` appended (same name, so the
    OpenAPI schema keeps its name), null when the row or the interval is missing."""
    fields = [
        (name, _type(name), None) for name in columns(values) if name not in base.__struct_fields__
    ]
    return msgspec.defstruct(
        base.__name__,
        fields,
        bases=(base,),
        kw_only=True,
        module=base.__module__,
        namespace={"__doc__": base.__doc__},
    )


def select_list(table: str, values: tuple[str, ...]) -> str:
    """The uncertainty columns of ``values`` as SQL, qualified by ``table`` (constants)."""
    return ", ".join(f"{table}.{name}" for name in columns(values))


def ranking_select_list(metric: str) -> str:
    """A ranking row's uncertainty columns for ranked ``metric``, under generic names
    (``metric_ci_low`` ...): NULL for a metric without an interval (on-task %)."""
    value = RANKED_METRICS[metric]["value"]
    if value not in WEEK_CHANGES:
        nulls = "metric_ci_low, metric_ci_high, metric_count, metric_week_change_within_noise"
        return ", ".join(f"null as {name}" for name in nulls.split(", "))
    return (
        f"metrics.{value}_ci_low as metric_ci_low, metrics.{value}_ci_high as metric_ci_high,"
        f" metrics.{COUNT_OF[value]} as metric_count,"
        f" metrics.{WEEK_CHANGES[value]}_within_noise as metric_week_change_within_noise"
    )
