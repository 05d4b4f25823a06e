"""Fraud reports (/v1/fraud-reports): ``schemas`` (response types), ``queries`` (SQL),
``controllers`` (handlers and the router ``api.app`` mounts)."""

from __future__ import annotations

from api.fraud.controllers import router

__all__ = ["router"]
