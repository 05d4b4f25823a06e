"""Quality gates run by ``make test`` (SPEC §8), callable as ``python -m kpi.gates NAME``.

- ``redshift`` (``kpi.gates.redshift``): every node dbt compiles for the Redshift target,
  parsed by sqlglot and checked against allow-lists of what Redshift accepts
  (``kpi.gates.redshift_catalog``); ``--sql FILE...`` checks given files instead.
"""
