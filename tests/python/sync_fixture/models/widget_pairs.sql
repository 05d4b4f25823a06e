select left_id, right_id, label
from {{ source('fixture_src', 'widget_pairs') }}
