{#-
    The relation has at least `min_rows` rows: an empty replicated source must fail the
    build instead of publishing empty marts.
-#}
{% test not_empty(model, min_rows=1) %}

select row_count
from (select count(*) as row_count from {{ model }}) as counted
where row_count < {{ min_rows }}

{% endtest %}
