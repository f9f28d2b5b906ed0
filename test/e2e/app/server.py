"""Serves the parlab e2e test app (app/build) with Debian's jupyter-server 1.23 + jupyterlab_server.

Usage: /usr/bin/python3 server.py --port=PORT --root-dir=DIR   (any ServerApp option works)
Like upstream examples/app/main.py, plus two shims for endpoints JupyterLab 4 expects from
jupyter_server 2.x: GET /api/me and the /api/events/subscribe websocket.
"""

import json
import os
import sys

os.environ["JUPYTER_NO_CONFIG"] = "1"  # no config files on disk affect this app

from jupyter_server.base.handlers import APIHandler  # noqa: E402
from jupyterlab_server import LabServerApp  # noqa: E402
from tornado import web, websocket  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# PARLAB_E2E_BUILD=build-plotly serves the variant with the plotly renderer compiled in.
BUILD = os.path.join(HERE, os.environ.get("PARLAB_E2E_BUILD", "build"))


class MeHandler(APIHandler):
    """jupyter_server 2.x's identity endpoint, for an anonymous single user."""

    @web.authenticated
    def get(self):
        self.finish(json.dumps({
            "identity": {"username": "e2e", "name": "e2e", "display_name": "e2e",
                         "initials": "E", "avatar_url": None, "color": None},
            "permissions": {},
        }))


class EventsHandler(websocket.WebSocketHandler):
    """jupyter_server 2.x's event stream: accept and stay silent."""

    def check_origin(self, origin):
        return True

    def on_message(self, message):
        pass


class ParlabE2EApp(LabServerApp):
    name = "parlab_e2e"
    extension_url = "/lab"
    default_url = "/lab"
    load_other_extensions = False
    app_name = "parlab e2e JupyterLab"
    app_version = "4.6.3"
    app_settings_dir = os.path.join(HERE, "settings")  # overrides.json: no news/update checks
    schemas_dir = os.path.join(BUILD, "schemas")
    static_dir = BUILD
    templates_dir = os.path.join(HERE, "templates")
    themes_dir = os.path.join(BUILD, "themes")
    # Per-run writable dirs: set by the runner through PARLAB_E2E_STATE, never inside the repo.
    user_settings_dir = os.path.join(os.environ.get("PARLAB_E2E_STATE", BUILD), "user_settings")
    workspaces_dir = os.path.join(os.environ.get("PARLAB_E2E_STATE", BUILD), "workspaces")

    def initialize_handlers(self):
        self.handlers.append(("/api/me", MeHandler))
        self.handlers.append(("/api/events/subscribe", EventsHandler))
        super().initialize_handlers()

    def initialize_settings(self):
        super().initialize_settings()
        self.serverapp.web_app.settings["terminals_available"] = False


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": ParlabE2EApp}]


if __name__ == "__main__":
    sys.exit(ParlabE2EApp.launch_instance())
