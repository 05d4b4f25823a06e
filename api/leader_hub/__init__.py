"""Leader Hub (/v1/leader-hub-metrics): ``schemas`` (response types), ``queries`` (SQL),
``controllers`` (handlers and the router ``api.app`` mounts)."""

from __future__ import annotations

from api.leader_hub.controllers import router

__all__ = ["router"]
