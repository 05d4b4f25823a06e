{#-
    One row per report date of the metric history, with the time its rows were last
    built. Built after the three histories (a failed one skips it), by a daily build and
    by `kpi backfill`; the sync copies a date of the histories only when its built_at
    differs from the one published, so a daily sync moves one date, not the whole past.
-#}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='as_of_date',
    on_schema_change='append_new_columns',
    full_refresh=false
) }}

-- depends_on: {{ ref('market_metric_history') }}
-- depends_on: {{ ref('provider_metric_history') }}
-- depends_on: {{ ref('market_provider_metric_history') }}

select
    {{ as_of_date() }} as as_of_date,
    cast({{ dbt.current_timestamp() }} as timestamp) as built_at
