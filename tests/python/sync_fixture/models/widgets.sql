select widget_id, name, amount, seen_on, seen_at, is_active
from {{ source('fixture_src', 'widgets') }}
