{#-
    market_provider_metrics for every report date kept: a build inserts the rows of its
    as_of_date, computed by the mart's own macro (never read from the mart's table),
    replacing that date's rows if it was built before (delete+insert on as_of_date, the
    one incremental strategy dbt has on both PostgreSQL and Redshift). full_refresh is
    off: a full refresh must not drop the past (docs/leader_hub.md "History").
-#}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='as_of_date',
    on_schema_change='append_new_columns',
    full_refresh=false
) }}

{{ leader_hub_market_provider_metrics() }}
