"""`create_app` without a browser: the console's state without credentials, the named API."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow]


def components(app) -> dict[str, dict]:
    return {c["props"].get("elem_id"): c for c in app.config["components"] if c["props"].get("elem_id")}


def test_without_credentials_the_console_is_closed_and_says_how_to_open_it(ui_shopper):
    from ui import create_app

    found = components(create_app(ui_shopper, None))
    closed = found["console-closed"]["props"]["value"]
    assert "SHOPASSIST_SERVICE_USER" in closed and "SHOPASSIST_SERVICE_PASSWORD" in closed
    assert "console-user" not in found and "console-customer-id" not in found
    assert "shopper-chat" in found


def test_with_credentials_there_is_a_login_and_named_endpoints(ui_shopper, console_login):
    from ui import create_app

    app = create_app(ui_shopper, console_login)
    found = components(app)
    assert found["console-password"]["props"]["type"] == "password"
    assert found["console-main"]["props"]["visible"] is False  # nothing before a login
    public = {d["api_name"] for d in app.config["dependencies"] if d.get("api_visibility", "public") == "public"}
    assert {"chat", "clear", "ask", "basket"} <= public
    # The console's handlers are not part of the public API.
    assert not any(str(name).startswith(("log_in", "look_up", "explore", "chat_for")) for name in public)


def test_an_unknown_option_is_an_error_naming_it(ui_shopper):
    from ui import create_app

    with pytest.raises(TypeError, match="stream_dleay"):
        create_app(ui_shopper, None, stream_dleay=0.1)
