"""Shared by the browser test modules and their conftest: the browser they drive."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium, driven by Playwright (no download)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 45_000  # an upper bound to wait for a condition, not a speed target

# A browser test module's `pytestmark`: skipped, with the reason, where chromium is missing.
requires_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium;"
    " .ci/run installs it)",
)


def sign_in(page: Page) -> int:
    """Open the hub as the demo Market Manager; returns the market the hub shows."""
    page.goto("/")
    page.get_by_test_id("dev-role-market-manager").click()
    expect(page.get_by_test_id("hub")).to_be_visible()
    switcher = page.get_by_test_id("market-select")
    expect(switcher).to_be_enabled()
    return int(switcher.input_value())
