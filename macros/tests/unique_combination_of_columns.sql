{#-
    The combination of `combination_of_columns` is unique across the model (a
    composite key). Usage, at model level:
        data_tests:
          - unique_combination_of_columns:
              arguments: {combination_of_columns: [market_id, provider_id]}
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as duplicate_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
