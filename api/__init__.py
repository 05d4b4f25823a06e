"""The read API (SPEC §10): a Litestar app that authorizes, filters, sorts and pages.

``api.app.create_app`` builds the app (tests and embedders call it); ``api.server`` runs
it as ``kpi serve`` does (uvicorn, workers, the access log). The policy of who may read
what is ``api.policy``; bearer tokens are ``api.tokens``; each product is a package of
schemas, queries and controllers (``api.leader_hub``, ``api.fraud``).
"""
