{#-
    The combination of `columns` is unique across the model: a composite key (one column
    works too, but `unique` + `not_null` says that better). Not named after
    dbt_utils' `unique_combination_of_columns`, so that installing dbt_utils (e.g. for
    dbt-project-evaluator, whose `primary_key_test_macros` var lists this test) never
    changes which macro a test runs. Usage, at model level:
        data_tests:
          - unique_key:
              arguments: {columns: [market_id, provider_id]}
-#}
{% test unique_key(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as duplicate_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
