"""Who may use the customer-service console: one credential, from the environment or a file.

The console (UI) and the service endpoints (HTTP) show customers' purchase histories, so they
sit behind a login. There is no default password in the code: the credential comes from
``SHOPASSIST_SERVICE_USER`` / ``SHOPASSIST_SERVICE_PASSWORD`` or, failing those, from
``<home>/service-credentials.json``, which `ensure_credentials` writes once with a random
password (mode 0600) so that `make run` works out of the box and says where to look.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from retrieval.config import data_root
from retrieval.errors import ConfigError

log = logging.getLogger(__name__)

USER_ENV, PASSWORD_ENV = "SHOPASSIST_SERVICE_USER", "SHOPASSIST_SERVICE_PASSWORD"
FILE_NAME = "service-credentials.json"


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    source: str  # "environment" or the file's path, for messages

    def check(self, user: str | None, password: str | None) -> bool:
        """Constant-time comparison of both fields (no early exit on the user name)."""
        ok_user = hmac.compare_digest(str(user or "").encode(), self.user.encode())
        ok_password = hmac.compare_digest(str(password or "").encode(), self.password.encode())
        return ok_user and ok_password


def credentials_file(home: str | os.PathLike[str] | None = None) -> Path:
    return data_root(home) / FILE_NAME


def load_credentials(home: str | os.PathLike[str] | None = None) -> Credentials | None:
    """The configured credential, or None when none is set (the console is then closed)."""
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if user or password:
        if not (user and password):
            raise ConfigError(f"set both {USER_ENV} and {PASSWORD_ENV}, or neither.")
        return Credentials(user, password, "environment")
    path = credentials_file(home)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        return Credentials(str(data["user"]), str(data["password"]), str(path))
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: expected {{\"user\": ..., \"password\": ...}} ({exc}); "
                          "fix it or delete it to have a new one made.") from exc


def ensure_credentials(home: str | os.PathLike[str] | None = None) -> Credentials:
    """The configured credential, or a new random one saved (0600) under `home`."""
    found = load_credentials(home)
    if found is not None:
        return found
    path = credentials_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    made = Credentials("service", secrets.token_urlsafe(12), str(path))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"user": made.user, "password": made.password}, fh)
    log.warning("made a customer-service login: user %r, password in %s", made.user, path)
    return made
