"""What Redshift accepts, as allow-lists: each entry names its Redshift developer-guide page.

The gate's rules read only these tables, so a new function, type or window shape is allowed
by adding one line here with the page that documents it on Redshift (not on PostgreSQL).
Anything absent is rejected: sqlglot parses much that Redshift refuses, so silence must mean
"not known to work", never "probably fine".
"""

from __future__ import annotations

from sqlglot import exp

GUIDE = "https://docs.aws.amazon.com/redshift/latest/dg/"


def doc(page: str) -> str:
    """The developer-guide URL of ``page`` (its file name without ``.html``)."""
    return f"{GUIDE}{page}.html"


# Functions that run on the compute nodes, by the name written in the SQL (lowercase).
FUNCTIONS: dict[str, str] = {
    # aggregates (c_Aggregate_Functions)
    "avg": "r_AVG",
    "count": "r_COUNT",
    "max": "r_MAX",
    "min": "r_MIN",
    "sum": "r_SUM",
    "median": "r_MEDIAN",
    "percentile_cont": "r_PERCENTILE_CONT",
    "percentile_disc": "r_PERCENTILE_DISC",
    "listagg": "r_LISTAGG",
    "stddev": "r_STDDEV_functions",
    "stddev_samp": "r_STDDEV_functions",
    "stddev_pop": "r_STDDEV_functions",
    "variance": "r_VARIANCE_functions",
    "var_samp": "r_VARIANCE_functions",
    "var_pop": "r_VARIANCE_functions",
    "bool_and": "r_BOOL_AND",
    "bool_or": "r_BOOL_OR",
    "any_value": "r_any_value",
    # window-only functions (c_Window_functions)
    "row_number": "r_WF_ROW_NUMBER",
    "rank": "r_WF_RANK",
    "dense_rank": "r_WF_DENSE_RANK",
    "ntile": "r_WF_NTILE",
    "lag": "r_WF_LAG",
    "lead": "r_WF_LEAD",
    "first_value": "r_WF_first_value",
    "last_value": "r_WF_last_value",
    "nth_value": "r_WF_NTH",
    "percent_rank": "r_WF_PERCENT_RANK",
    "cume_dist": "r_WF_CUME_DIST",
    "ratio_to_report": "r_WF_RATIO_TO_REPORT",
    # conditional expressions (c_conditional_expressions)
    "coalesce": "r_NVL_function",
    "nvl": "r_NVL_function",
    "nvl2": "r_NVL2",
    "nullif": "r_NULLIF_function",
    "greatest": "r_GREATEST_LEAST",
    "least": "r_GREATEST_LEAST",
    "decode": "r_DECODE_expression",
    # math (Math_functions)
    "abs": "r_ABS",
    "ceil": "r_CEILING_FLOOR",
    "ceiling": "r_CEILING_FLOOR",
    "floor": "r_FLOOR",
    "round": "r_ROUND",
    "trunc": "r_TRUNC",
    "sqrt": "r_SQRT",
    "power": "r_POWER",
    "mod": "r_MOD",
    "sign": "r_SIGN",
    "exp": "r_EXP",
    "ln": "r_LN",
    "dlog10": "r_DLOG10",
    # dates (Date_functions_header)
    "dateadd": "r_DATEADD_function",
    "datediff": "r_DATEDIFF_function",
    "date_trunc": "r_DATE_TRUNC",
    "date_part": "r_DATE_PART_function",
    "extract": "r_EXTRACT_function",
    "getdate": "r_GETDATE",
    "sysdate": "r_SYSDATE",
    "current_date": "r_CURRENT_DATE_function",
    "convert_timezone": "CONVERT_TIMEZONE",
    "to_date": "r_TO_DATE_function",
    "to_char": "r_TO_CHAR",
    "to_timestamp": "r_TO_TIMESTAMP",
    "last_day": "r_LAST_DAY",
    "add_months": "r_ADD_MONTHS",
    "months_between": "r_MONTHS_BETWEEN_function",
    # strings (String_functions_header)
    "lower": "r_LOWER",
    "upper": "r_UPPER",
    "trim": "r_TRIM",
    "btrim": "r_BTRIM",
    "ltrim": "r_LTRIM",
    "rtrim": "r_RTRIM",
    "length": "r_LENGTH",
    "len": "r_LEN",
    "char_length": "r_CHAR_LENGTH",
    "substring": "r_SUBSTRING",
    "left": "r_LEFT",
    "right": "r_LEFT",
    "concat": "r_CONCAT",
    "replace": "r_REPLACE",
    "regexp_replace": "REGEXP_REPLACE",
    "regexp_substr": "REGEXP_SUBSTR",
    "regexp_count": "REGEXP_COUNT",
    "regexp_instr": "REGEXP_INSTR",
    "split_part": "SPLIT_PART",
    "position": "r_POSITION",
    "strpos": "r_STRPOS",
    "lpad": "r_LPAD",
    "rpad": "r_LPAD",
    "md5": "r_MD5",
    "initcap": "r_INITCAP",
    "translate": "r_TRANSLATE",
    "collate": "r_COLLATE",
    # type conversion (r_Type_conversion_functions)
    "cast": "r_CAST_function",
    "convert": "r_CAST_function",
}

# Functions Redshift refuses on the compute nodes (any query that reads a table), with the
# page that says so. Listed apart from "not on the allow-list" so the message names why.
LEADER_NODE_ONLY: dict[str, str] = {
    name: "c_SQL_functions_leader_node_only"
    for name in (
        "current_schema",
        "current_schemas",
        "has_database_privilege",
        "has_schema_privilege",
        "has_table_privilege",
        "substr",
        "factorial",
        "log",
        "age",
        "current_time",
        "current_timestamp",
        "localtime",
        "isfinite",
        "now",
        "getbit",
        "get_byte",
        "set_bit",
        "set_byte",
        "to_ascii",
    )
} | {
    # Runs on the leader node only (the PostgreSQL 8 catalog engine): it fails as soon as the
    # query also reads a table.
    "generate_series": "c_unsupported-postgresql-functions",
}

# PostgreSQL functions Redshift does not have: named so the message says what to use instead.
UNSUPPORTED_POSTGRES: dict[str, str] = {
    "string_agg": "listagg",
    "array_agg": "listagg, or a join",
    "unnest": "a join",
    "make_interval": "dateadd",
    "date_bin": "date_trunc",
    "to_json": "a text column (SUPER is Redshift's semi-structured type)",
    "to_jsonb": "a text column (SUPER is Redshift's semi-structured type)",
    "jsonb_build_object": "a text column (SUPER is Redshift's semi-structured type)",
    "json_build_object": "a text column (SUPER is Redshift's semi-structured type)",
    "regexp_matches": "regexp_substr",
    "string_to_array": "split_part",
    "array_to_string": "listagg",
}

# Functions whose argument at this index (0-based) is a position: PostgreSQL's flags
# ('g', 'i') in that place are an error on Redshift (REGEXP_REPLACE, REGEXP_SUBSTR pages).
POSITION_ARGUMENT: dict[str, int] = {
    "regexp_replace": 3,
    "regexp_substr": 2,
    "regexp_count": 2,
    "regexp_instr": 2,
}

# Window functions Redshift has (c_Window_functions), by the shape of OVER (...) each takes.
# Aggregates: with ORDER BY they need an explicit ROWS frame (its "syntax summary").
WINDOW_AGGREGATES = frozenset(
    {
        "avg",
        "count",
        "max",
        "min",
        "sum",
        "stddev",
        "stddev_samp",
        "stddev_pop",
        "variance",
        "var_samp",
        "var_pop",
        "first_value",
        "last_value",
        "nth_value",
    }
)
# Ranking and offset functions: ORDER BY, never a frame.
WINDOW_RANKING = frozenset(
    {"row_number", "rank", "dense_rank", "ntile", "lag", "lead", "percent_rank", "cume_dist"}
)
# PARTITION BY only: no ORDER BY in OVER, no frame (r_WF_MEDIAN, r_WF_PERCENTILE_CONT,
# r_WF_PERCENTILE_DISC, r_WF_LISTAGG, r_WF_RATIO_TO_REPORT).
WINDOW_PARTITION_ONLY = frozenset(
    {"median", "percentile_cont", "percentile_disc", "listagg", "ratio_to_report"}
)
WINDOW_FUNCTIONS = WINDOW_AGGREGATES | WINDOW_RANKING | WINDOW_PARTITION_ONLY

# Aggregates that sort their input: all of them in one statement must sort by the same
# expression (r_MEDIAN, r_PERCENTILE_CONT, r_LISTAGG usage notes).
SORT_BASED = frozenset({"median", "percentile_cont", "percentile_disc", "listagg"})

T = exp.DataType.Type

# Types for CAST and DDL (c_Supported_data_types), each with its page.
TYPES: dict[exp.DataType.Type, str] = {
    T.SMALLINT: "r_Numeric_types201",
    T.INT: "r_Numeric_types201",
    T.BIGINT: "r_Numeric_types201",
    T.DECIMAL: "r_Numeric_types201",
    T.FLOAT: "r_Numeric_types201",
    T.DOUBLE: "r_Numeric_types201",
    T.BOOLEAN: "r_Boolean_type",
    T.CHAR: "r_Character_types",
    T.NCHAR: "r_Character_types",
    T.VARCHAR: "r_Character_types",
    T.NVARCHAR: "r_Character_types",
    T.DATE: "r_Datetime_types",
    T.TIME: "r_Datetime_types",
    T.TIMETZ: "r_Datetime_types",
    T.TIMESTAMP: "r_Datetime_types",
    T.TIMESTAMPTZ: "r_Datetime_types",
    T.INTERVAL: "r_interval_data_types",
    T.SUPER: "r_SUPER_type",
    T.VARBINARY: "r_VARBYTE_type",
}

# Types whose length or precision must be written: Redshift's default differs from
# PostgreSQL's (bare numeric is numeric(18, 0) on Redshift, arbitrary on PostgreSQL; bare
# varchar and text are varchar(256) on Redshift, unbounded on PostgreSQL).
NEEDS_LENGTH: dict[exp.DataType.Type, str] = {
    T.DECIMAL: "numeric(p, s)",
    T.VARCHAR: "varchar(n)",
    T.NVARCHAR: "varchar(n)",
    T.VARBINARY: "varbyte(n)",
    T.TEXT: "varchar(n)",
}

# Reserved words (r_pg_keywords): never an unquoted identifier.
_RESERVED_WORDS_TEXT = """
    aes128 aes256 all allowoverwrite analyse analyze and any array as asc authorization az64
    backup between binary blanksasnull both bytedict bzip2 case cast check collate column
    constraint create credentials cross current_date current_time current_timestamp
    current_user current_user_id default deferrable deflate defrag delta delta32k desc disable
    distinct do else emptyasnull enable encode encrypt encryption end except explicit false for
    foreign freeze from full globaldict256 globaldict64k grant group gzip having identity ignore
    ilike in initially inner intersect interval into is isnull join leading left like limit
    localtime localtimestamp lun luns lzo lzop minus mostly16 mostly32 mostly8 natural new not
    notnull null nulls off offline offset oid old on only open or order outer overlaps parallel
    partition percent permissions pivot placing primary raw readratio recover references
    rejectlog resort respect restore right select session_user similar snapshot some sysdate
    system table tag tdes text255 text32k then timestamp to top trailing true truncatecolumns
    union unique unnest unpivot user using verbose wallet when where with without
"""
RESERVED_WORDS = frozenset(_RESERVED_WORDS_TEXT.split())

# Date parts coarser than a microsecond: datediff counts the part's boundaries crossed, so
# datediff(second, a, b) of 1.2 s can be 1 or 2. A duration is the microsecond difference
# truncated (SPEC §6, macros/cross_db/dates.sql); day and coarser on dates are exact.
BOUNDARY_DATE_PARTS = frozenset(
    {
        "second",
        "seconds",
        "sec",
        "secs",
        "s",
        "minute",
        "minutes",
        "min",
        "mins",
        "m",
        "hour",
        "hours",
        "hr",
        "hrs",
        "h",
        "millisecond",
        "milliseconds",
        "ms",
        "msec",
        "msecs",
        "msecond",
        "mseconds",
        "millisec",
        "millisecs",
        "millisecon",
    }
)

# Every rule the gate applies, with the page that states it.
RULES: dict[str, str] = {
    "parse": "c_SQL_reference",
    "function.not-allowed": "c_SQL_functions",
    "function.leader-node-only": "c_SQL_functions_leader_node_only",
    "function.postgres-only": "c_unsupported-postgresql-functions",
    "function.arguments": "REGEXP_REPLACE",
    "duration.datediff-boundaries": "r_DATEDIFF_function",
    "type.not-allowed": "c_unsupported-postgresql-datatypes",
    "type.needs-length": "c_Supported_data_types",
    "window.function": "c_Window_functions",
    "window.frame-required": "c_Window_functions",
    "window.range-frame": "c_Window_functions",
    "window.frame-not-allowed": "c_Window_functions",
    "window.distinct": "c_Window_functions",
    "window.partition-only": "r_WF_MEDIAN",
    "statement.nested-with": "r_WITH_clause",
    "statement.materialized-cte": "r_WITH_clause",
    "statement.values-table": "c_unsupported-postgresql-features",
    "statement.collation": "c_unsupported-postgresql-features",
    "statement.distinct-on": "r_SELECT_list",
    "statement.filter": "c_Aggregate_Functions",
    "statement.lateral": "r_FROM_clause30",
    "statement.array": "c_unsupported-postgresql-datatypes",
    "statement.json-operator": "json-functions",
    "identifier.reserved": "r_pg_keywords",
    "sort-order.mismatch": "r_MEDIAN",
}
