"""The customer-service credential on HTTP: Basic auth, checked with `Credentials.check`.

Basic (over TLS in front of the server) because the console already has exactly one
user/password pair and no token issuer; the scheme is declared in the OpenAPI schema, so
clients and schemathesis know which operations need it. With no credential configured the
service endpoints answer 403 `console_closed` instead of accepting anyone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from assistant.access import PASSWORD_ENV, USER_ENV, Credentials

from .errors import ApiError

log = logging.getLogger(__name__)

REALM = "shopassist customer service"

basic = HTTPBasic(auto_error=False, realm=REALM, scheme_name="serviceLogin",
                  description="The customer-service login (see `assistant.access`).")


def service_guard(credentials: Credentials | None) -> Callable[..., None]:
    """A dependency that lets a request through only with the service credential."""

    def require_service(given: Annotated[HTTPBasicCredentials | None, Depends(basic)]) -> None:
        if credentials is None:
            raise ApiError(403, "console_closed",
                           f"the customer-service console is closed: no login is configured "
                           f"(set {USER_ENV} and {PASSWORD_ENV}).")
        if given is None or not credentials.check(given.username, given.password):
            if given is not None:  # a wrong login, not a missing one: worth a line in the log
                log.warning("refused a customer-service login for user %r", given.username[:64])
            raise ApiError(401, "unauthorized", "customer-service login required",
                           headers=basic.make_authenticate_headers())

    return require_service
