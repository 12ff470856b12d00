"""The console credential: environment first, then a generated file; never a default."""

from __future__ import annotations

import json
import stat

import pytest

from assistant.access import (
    PASSWORD_ENV,
    USER_ENV,
    credentials_file,
    ensure_credentials,
    load_credentials,
)
from retrieval.errors import ConfigError


def test_no_credential_means_closed_then_one_is_made_once(tmp_path, monkeypatch):
    monkeypatch.delenv(USER_ENV, raising=False)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    assert load_credentials(tmp_path) is None
    made = ensure_credentials(tmp_path)
    path = credentials_file(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(made.password) >= 16
    assert ensure_credentials(tmp_path) == made  # not replaced on the next start
    assert made.check("service", made.password)
    assert not made.check("service", made.password + "x") and not made.check("", "")
    assert ensure_credentials(tmp_path / "other").password != made.password  # random, not a default


def test_environment_wins_and_half_a_credential_is_an_error(tmp_path, monkeypatch):
    credentials_file(tmp_path).write_text(json.dumps({"user": "file", "password": "p"}))
    monkeypatch.setenv(USER_ENV, "agent")
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    found = load_credentials(tmp_path)
    assert (found.user, found.source) == ("agent", "environment") and found.check("agent", "s3cret")
    monkeypatch.delenv(PASSWORD_ENV)
    with pytest.raises(ConfigError, match=PASSWORD_ENV):
        load_credentials(tmp_path)


def test_a_broken_file_names_itself(tmp_path, monkeypatch):
    monkeypatch.delenv(USER_ENV, raising=False)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    credentials_file(tmp_path).write_text("{not json")
    with pytest.raises(ConfigError, match="service-credentials.json"):
        load_credentials(tmp_path)
