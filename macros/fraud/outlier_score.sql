{#-
    Robust outlier score of a fraud report (SPEC §7), written once for all four marts.

    Over the non-NULL values x = `value_column` of each partition:
        median = median(x)
        MAD    = median(|x - median|)
        score  = (x - median) / (1.4826 x MAD)
        when MAD = 0:  (x - median) / (1.253314 x mean(|x - median|))
    rounded half away from zero to 4 decimals. The score is NULL when x is NULL, when
    the partition has fewer than `outlier_min_rows` non-NULL values, or when both
    deviations are 0; is_statistical_outlier = score > `outlier_threshold`, false when
    the score is NULL. The score is signed: only unusually high values are outliers.

    Medians are computed portably from row_number()/count() (the average of the middle
    one or two values): Redshift allows several MEDIAN/PERCENTILE_CONT in one statement
    only when they order by the same expression, and the MAD needs two different ones.
    Positions p with (n + 1) / 2 <= p <= n / 2 + 1 (integer division) are the middle
    value of an odd n and the middle two of an even n.

    Adds helper columns prefixed `outlier_` (not exported) plus `outlier_score` and
    `is_statistical_outlier`. Usage, as the body of a CTE:
        scored as (
            {{ fraud_outlier_score('flagged', 'ratio_offline_patients_qty',
                                   partition_by=['settlement_type']) }}
        ),
-#}
{% macro fraud_outlier_score(relation, value_column, partition_by=[]) -%}
{%- set partition = fraud_partition_by(partition_by) -%}
select
    outlier_scored.*,
    coalesce(
        outlier_scored.outlier_score > {{ var('outlier_threshold') }}, false
    ) as is_statistical_outlier
from (
    select
        outlier_spread.*,
        case
            when outlier_spread.outlier_value_count < {{ var('outlier_min_rows') }} then null
            when outlier_spread.outlier_median_deviation > 0
                then {{ round_half_away(
                    '(outlier_spread.outlier_value - outlier_spread.outlier_median)'
                    ~ ' / (1.4826 * outlier_spread.outlier_median_deviation)', 4) }}
            when outlier_spread.outlier_mean_deviation > 0
                then {{ round_half_away(
                    '(outlier_spread.outlier_value - outlier_spread.outlier_median)'
                    ~ ' / (1.253314 * outlier_spread.outlier_mean_deviation)', 4) }}
        end as outlier_score
    from (
        select
            outlier_deviations.*,
            avg(
                case
                    when
                        outlier_deviation_position
                        between (outlier_value_count + 1) / 2 and outlier_value_count / 2 + 1
                        then outlier_deviation
                end
            ) over ({{ partition }}) as outlier_median_deviation,
            avg(outlier_deviation) over ({{ partition }}) as outlier_mean_deviation
        from (
            select
                outlier_medians.*,
                abs(outlier_value - outlier_median) as outlier_deviation,
                row_number() over (
                    {{ partition }}
                    order by abs(outlier_value - outlier_median) asc nulls last
                ) as outlier_deviation_position
            from (
                select
                    outlier_positions.*,
                    avg(
                        case
                            when
                                outlier_value_position
                                between (outlier_value_count + 1) / 2
                                and outlier_value_count / 2 + 1
                                then outlier_value
                        end
                    ) over ({{ partition }}) as outlier_median
                from (
                    select
                        outlier_source.*,
                        cast({{ value_column }} as double precision) as outlier_value,
                        row_number() over (
                            {{ partition }}
                            order by {{ value_column }} asc nulls last
                        ) as outlier_value_position,
                        count({{ value_column }}) over ({{ partition }}) as outlier_value_count
                    from {{ relation }} as outlier_source
                ) as outlier_positions
            ) as outlier_medians
        ) as outlier_deviations
    ) as outlier_spread
) as outlier_scored
{%- endmacro %}
