"""My Performance Hub (/v1/performance-hub, SPEC §11): the clinician's own view.
``schemas`` (response types), ``queries`` (SQL), ``withholding`` (the
``personal_min_visits`` rule and goals), ``controllers`` (handlers and the router)."""

from __future__ import annotations

from api.performance_hub.controllers import router

__all__ = ["router"]
