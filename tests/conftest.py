"""Test-wide settings: the syntax cache of CLI runs lives in a temporary folder, so
tests never read a cache another run left and never write into the user's home."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    cache: Path = tmp_path_factory.getbasetemp() / "iaclint-cache"
    monkeypatch.setenv("IACLINT_CACHE_DIR", str(cache))
