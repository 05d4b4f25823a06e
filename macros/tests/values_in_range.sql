{#-
    Every non-NULL value of the column lies in [min_value, max_value] (either bound
    optional). Not named after dbt_utils' `accepted_range`, so that installing
    dbt_utils never changes which macro a test runs. Usage:
        data_tests:
          - values_in_range: {arguments: {min_value: 0, max_value: 1}}
-#}
{% test values_in_range(model, column_name, min_value=none, max_value=none) %}

select {{ column_name }} as out_of_range_value
from {{ model }}
where
    {{ column_name }} is not null
    and (
        false
        {%- if min_value is not none %}
            or {{ column_name }} < {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
            or {{ column_name }} > {{ max_value }}
        {%- endif %}
    )

{% endtest %}
