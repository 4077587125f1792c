"""The built desktop app (make desktop) in a real X server (Xvfb): the first-run setup screen,
typing a real `tonearm serve`'s address into it, signing in, the home page loading covers
from that server's other origin with media tokens, the presence sidecar reaching a fake
Discord, playing, a media key (MPRIS) pausing, the tray icon in a real tray host
(xfce4-panel) driving the player, the Settings switch turning the presence off, quitting
from the tray; the window's size remembered; the command-line flags and the single instance.

Keys and clicks go in through xdotool, tray menu clicks over D-Bus (com.canonical.dbusmenu,
as the tray host sends them); what the app did is read from the outside: its config file,
the server's request counters (/metrics), the player's state, and screenshots (tests/clients/
artifacts/, and docs/screenshots/ with TONEARM_UPDATE_SCREENSHOTS=1). Run by
`make desktop-test`, which sets TONEARM_DESKTOP_BIN to the built binary.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.clients.fake_discord import ThreadedFakeDiscord
from tests.web.conftest import ADMIN, Server

BINARY = os.environ.get("TONEARM_DESKTOP_BIN", "")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).parent / "artifacts"
IDENTIFIER = "org.tonearm.desktop"
TOOLS = ("Xvfb", "xdotool", "import", "dbus-daemon", "gdbus", "xfce4-panel")
WATCHER = "org.kde.StatusNotifierWatcher"
# xfce4-panel's settings (an xfconf channel): one panel along the top holding only its
# status tray, the plugin that hosts StatusNotifierItems as a desktop's panel does.
PANEL_XML = """<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="32"/>
      <property name="plugin-ids" type="array"><value type="int" value="1"/></property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray"/>
  </property>
</channel>
"""
APP_ID = "123456789012345678"


@pytest.fixture(scope="module", autouse=True)
def _prerequisites() -> None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if not BINARY or not Path(BINARY).is_file():
        reason = "the desktop app is not built: `make desktop-test` builds and runs it"
        if os.environ.get("CI") and BINARY:
            pytest.fail(f"{BINARY} is missing")
        pytest.skip(reason)
    if missing:
        pytest.fail(f"missing tools (make desktop installs them): {missing}")


def wait_for(check: Callable[[], Any], what: str, seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A private X server; Xvfb picks a free display number and tells us on a pipe."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x820x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    xvfb.terminate()
    xvfb.wait(timeout=10)


class App:
    """One run of the app with its own config directory."""

    def __init__(
        self, display: str, home: Path, args: list[str], bus: str | None = None, tray: bool = False
    ) -> None:
        self.display = display
        self.config = home / "config" / IDENTIFIER / "desktop.json"
        runtime = home / "run"
        runtime.mkdir(parents=True, exist_ok=True)
        runtime.chmod(0o700)
        self.env = {
            **os.environ,
            "DISPLAY": display,
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_RUNTIME_DIR": str(runtime),
            # Software rendering: there is no GPU under Xvfb.
            "WEBKIT_DISABLE_COMPOSITING_MODE": "1",
            "LIBGL_ALWAYS_SOFTWARE": "1",
            # The presence sidecar inherits this: no 4 s between Discord updates here.
            "TONEARM_PRESENCE_MIN_INTERVAL": "0",
            # No sound card here: GStreamer plays into its fake audio sink.
            "GST_PLUGIN_FEATURE_RANK": "fakeaudiosink:MAX",
        }
        self.log = (home / "app.log").open("w")
        # A session bus of its own: the single-instance plugin, the tray and WebKit's MPRIS
        # (the media keys) talk D-Bus, and the test asks the bus what is there.
        self.bus_pid = 0
        if bus is None:
            # The app's environment: services the bus starts (xfconfd) keep to this home.
            daemon = subprocess.run(
                ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
                capture_output=True, text=True, check=True, timeout=30, env=self.env,
            )  # fmt: skip
            bus, pid = daemon.stdout.split()[:2]
            self.bus_pid = int(pid)
        self.env["DBUS_SESSION_BUS_ADDRESS"] = bus
        self.panel: subprocess.Popen[bytes] | None = None
        if tray:
            self._start_tray_host(home)
        self.process = subprocess.Popen(
            [BINARY, *args],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.log_path = home / "app.log"

    def _start_tray_host(self, home: Path) -> None:
        """A real tray: xfce4-panel's status tray registers as the StatusNotifierWatcher, the
        app's tray icon (libayatana-appindicator) registers with it and shows in the panel."""
        channel = home / "config" / "xfce4" / "xfconf" / "xfce-perchannel-xml" / "xfce4-panel.xml"
        channel.parent.mkdir(parents=True, exist_ok=True)
        channel.write_text(PANEL_XML)
        self.panel = subprocess.Popen(
            ["xfce4-panel", "--disable-wm-check"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(lambda: WATCHER in self.bus_names(), "the tray host")

    def gdbus(self, dest: str, path: str, method: str, *args: str, check: bool = True) -> str:
        out = subprocess.run(
            ["gdbus", "call", "--session", "--dest", dest, "--object-path", path,
             "--method", method, *args],
            env=self.env, capture_output=True, text=True, timeout=30, check=check,
        )  # fmt: skip
        return out.stdout

    def tray_menu(self) -> dict[str, int]:
        """The tray icon's menu as the host reads it (com.canonical.dbusmenu): label → id;
        a disabled item's label is prefixed with '(disabled) '."""
        items = self.gdbus(
            WATCHER, "/StatusNotifierWatcher", "org.freedesktop.DBus.Properties.Get",
            WATCHER, "RegisteredStatusNotifierItems",
        )  # fmt: skip
        found = re.findall(r"'(:[0-9.]+)(/[^']+)'", items)
        if not found:
            return {}
        name, path = found[0]
        menu_path = re.findall(
            r"'(/[^']+)'",
            self.gdbus(
                name, path, "org.freedesktop.DBus.Properties.Get",
                "org.kde.StatusNotifierItem", "Menu",
            ),
        )[0]  # fmt: skip
        self._menu = (name, menu_path)
        layout = self.gdbus(
            name, menu_path, "com.canonical.dbusmenu.GetLayout", "0", "--", "-1", "[]"
        )
        out = {}
        for item_id, props in re.findall(r"\((\d+), \{([^{}]*)\}, @av \[\]\)", layout):
            label = re.search(r"'label': <(['\"])(.*?)\1>", props)
            if label:
                disabled = "'enabled': <false>" in props
                # dbusmenu labels are mnemonic markup: "__" is a literal "_", "_x" marks x.
                text = re.sub(r"_(.)", r"\1", label.group(2))
                out[("(disabled) " if disabled else "") + text] = int(item_id)
        return out

    def tray_click(self, label: str) -> None:
        """What the host sends when the user picks a menu item."""
        item = wait_for(lambda: self.tray_menu().get(label), f"{label} in the tray menu")
        name, menu_path = self._menu
        self.gdbus(
            name, menu_path, "com.canonical.dbusmenu.Event", str(item), "clicked", "<int32 0>", "0"
        )

    def xdotool(self, *args: str) -> str:
        out = subprocess.run(
            ["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=30
        )
        return out.stdout.strip()

    def window(self) -> str:
        found = wait_for(
            lambda: self.xdotool("search", "--onlyvisible", "--name", "^Tonearm$"), "the window"
        )
        return str(found.split()[0])

    def saved(self) -> dict[str, Any]:
        return dict(json.loads(self.config.read_text())) if self.config.exists() else {}

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        subprocess.run(
            ["import", "-window", "root", str(path)], env=self.env, check=True, timeout=30
        )
        if os.environ.get("TONEARM_UPDATE_SCREENSHOTS"):
            shutil.copyfile(path, ROOT / "docs" / "screenshots" / path.name)
        return path

    def close(self) -> str:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()
        self.log.close()
        if self.panel is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.panel.pid, 15)
            self.panel.wait(timeout=15)
        if self.bus_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.bus_pid, 15)
        return self.log_path.read_text(errors="replace")

    def bus_names(self) -> list[str]:
        names = self.gdbus(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames",
            check=False,
        )  # fmt: skip
        return re.findall(r"'([^']+)'", names)

    def mpris(self, method: str) -> None:
        """A media key, as the desktop delivers it: an MPRIS call on the session bus."""
        name = next(n for n in self.bus_names() if n.startswith("org.mpris.MediaPlayer2."))
        self.gdbus(name, "/org/mpris/MediaPlayer2", f"org.mpris.MediaPlayer2.Player.{method}")


@pytest.fixture
def launch(display: str, tmp_path: Path) -> Iterator[Callable[..., App]]:
    apps: list[App] = []

    def start(
        *args: str, home: Path | None = None, bus: str | None = None, tray: bool = False
    ) -> App:
        app = App(display, home or tmp_path, list(args), bus, tray)
        apps.append(app)
        return app

    yield start
    for app in apps:
        app.close()


def requests_seen(server: Server) -> dict[tuple[str, str, str], float]:
    """The server's request counter: (method, route, status) → count."""
    with urllib.request.urlopen(server.url + "/metrics", timeout=10) as resp:
        text = resp.read().decode()
    out: dict[tuple[str, str, str], float] = {}
    pattern = re.compile(r"^tonearm_http_requests_total\{(.*)\} ([0-9.e+]+)$", re.M)
    for labels, value in pattern.findall(text):
        found = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        out[(found["method"], found["route"], found["status"])] = float(value)
    return out


def grew(
    before: dict[tuple[str, str, str], float], server: Server, key: tuple[str, str, str]
) -> bool:
    return requests_seen(server).get(key, 0) > before.get(key, 0)


def painted(path: Path) -> bool:
    """The screenshot is not one flat colour (the webview drew something)."""
    out = subprocess.run(
        ["convert", str(path), "-format", "%[fx:standard_deviation]", "info:"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(out.stdout) > 0.02


def test_first_run_then_sign_in_against_a_real_server(
    launch: Callable[..., App], server: Server, tmp_path: Path
) -> None:
    before = requests_seen(server)
    # Discord "runs" here, and the app is told its application id before the first start.
    discord = ThreadedFakeDiscord(tmp_path / "run", client_ids={APP_ID})
    config = tmp_path / "config" / IDENTIFIER / "desktop.json"
    config.parent.mkdir(parents=True)
    config.write_text(json.dumps({"discord_app_id": APP_ID}))
    try:
        _first_run(launch, server, before, discord)
    finally:
        discord.close()


def _first_run(
    launch: Callable[..., App],
    server: Server,
    before: dict[tuple[str, str, str], float],
    discord: ThreadedFakeDiscord,
) -> None:
    app = launch(tray=True)
    window = app.window()
    time.sleep(3)  # the page's first paint
    shot = app.screenshot("desktop-setup")
    assert painted(shot)
    assert app.saved().get("server_url") is None  # nothing saved before the check

    # The address field has the focus; a click makes sure the window has it too.
    app.xdotool("mousemove", "--window", window, "640", "525", "click", "1")
    port = server.url.rsplit(":", 1)[1]
    app.xdotool("type", "--delay", "30", f"127.0.0.1:{port}")
    app.xdotool("key", "Return")
    # The app checked the address against the server's /healthz, then kept it.
    saved = wait_for(lambda: app.saved().get("server_url"), "the address to be saved")
    assert saved == server.url
    assert grew(before, server, ("GET", "/healthz", "200"))
    # Then the page, from tauri://localhost, asked the server who is signed in: no one.
    wait_for(
        lambda: grew(before, server, ("GET", "/api/v1/auth/setup", "200")), "the sign-in check"
    )
    time.sleep(2)
    assert painted(app.screenshot("desktop-sign-in"))

    app.xdotool("type", "--delay", "30", ADMIN[0])
    app.xdotool("key", "Tab")
    app.xdotool("type", "--delay", "30", ADMIN[1])
    app.xdotool("key", "Return")
    wait_for(lambda: grew(before, server, ("POST", "/api/v1/auth/login", "200")), "signing in")
    # Signed in: a media token, the home page, its covers through media-token URLs (an
    # <img> cannot send the bearer token), and the play-state websocket.
    wait_for(
        lambda: grew(before, server, ("GET", "/api/v1/auth/media-token", "200")), "a media token"
    )
    wait_for(lambda: grew(before, server, ("GET", "/api/v1/me/home", "200")), "the home page")
    wait_for(
        lambda: (
            grew(before, server, ("GET", "/api/v1/covers/{id}", "200"))
            or grew(before, server, ("GET", "/api/v1/covers/placeholder", "200"))
        ),
        "covers",
    )
    time.sleep(2)
    assert painted(app.screenshot("desktop-home"))
    assert not grew(before, server, ("GET", "/api/v1/covers/{id}", "401"))

    # Signed in, the app started its presence sidecar, which found "Discord".
    assert discord.next("handshake").payload == {"v": 1, "client_id": APP_ID}
    assert discord.activity() is None  # nothing plays yet
    album = server.api("/api/v1/albums?sort=name")["items"][0]
    state = server.api("/api/v1/me/player/play", {"context": {"type": "album", "id": album["id"]}})
    track = state["current"]["track"]
    activity = discord.activity()
    while activity is None:
        activity = discord.activity()
    assert (activity["details"], activity["state"]) == (track["title"], track["artist"])
    assert activity["assets"]["large_text"] == album["title"]
    assert activity["timestamps"]["end"] - activity["timestamps"]["start"] == round(
        track["duration"]
    )

    # Media keys: play from the keyboard (a user gesture, as autoplay rules want): the
    # <audio> element streams from the other origin with its media token. WebKit then
    # offers the page's Media Session as MPRIS on the session bus, which is where a Linux
    # desktop sends the media keys: Pause there pauses the app, which tells the server.
    app.xdotool("key", "space")
    wait_for(
        lambda: (
            grew(before, server, ("GET", "/api/v1/tracks/{id}/stream", "200"))
            or grew(before, server, ("GET", "/api/v1/tracks/{id}/stream", "206"))
        ),
        "the audio stream",
    )
    wait_for(
        lambda: any(n.startswith("org.mpris.MediaPlayer2.") for n in app.bus_names()),
        "WebKit's MPRIS player",
    )
    time.sleep(1)
    app.screenshot("desktop-playing")
    reports = requests_seen(server)
    app.mpris("Pause")
    wait_for(lambda: grew(reports, server, ("PUT", "/api/v1/me/player", "200")), "the pause")
    assert server.api("/api/v1/me/player")["playing"] is False

    paused = discord.activity()
    while paused is None or "timestamps" in paused:
        paused = discord.activity()
    assert paused["state"].startswith("Paused")

    # The tray icon, in a real tray host: its menu follows the player (the track on its first
    # line: Linux hosts show no tooltips) and its buttons drive the page, which tells the server.
    now = f"(disabled) {track['title']} - {track['artist']}"
    menu = wait_for(lambda: m if now in (m := app.tray_menu()) else None, "the track in the tray")
    assert {"Show Tonearm", "Play", "Next", "Previous", "Quit"} <= set(menu)
    app.tray_click("Play")
    wait_for(lambda: server.api("/api/v1/me/player")["playing"], "the tray's Play")
    wait_for(lambda: "Pause" in app.tray_menu(), "Pause in the tray")
    app.tray_click("Next")
    after = wait_for(
        lambda: (
            (c := server.api("/api/v1/me/player")["current"]["track"])["id"] != track["id"] and c
        ),
        "the tray's Next",
    )
    wait_for(
        lambda: f"(disabled) {after['title']} - {after['artist']}" in app.tray_menu(),
        "the next track in the tray",
    )
    app.tray_click("Pause")
    wait_for(lambda: not server.api("/api/v1/me/player")["playing"], "the tray's Pause")
    # Discord followed the tray too: it ends on the next track, paused.
    shown = discord.activity()
    while shown is None or shown["details"] != after["title"] or "timestamps" in shown:
        shown = discord.activity()

    # Settings → Discord: the switch turns the presence off (cleared, and Discord let go).
    app.xdotool("mousemove", "--window", window, "81", "339", "click", "1")  # Settings
    time.sleep(1)
    app.xdotool("mousemove", "--window", window, "700", "400", "click", "--repeat", "20", "5")
    time.sleep(1)
    app.screenshot("desktop-settings")
    app.xdotool("mousemove", "--window", window, "312", "556", "click", "1")  # the switch
    wait_for(lambda: app.saved().get("presence_enabled") is False, "the switch to be saved")
    assert discord.activity() is None
    discord.next("closed")

    app.tray_click("Quit")
    assert app.process.wait(timeout=30) == 0
    log = app.close()
    assert "panicked" not in log, log
    # The websocket is counted when it ends: with the app.
    wait_for(lambda: grew(before, server, ("GET", "/api/v1/me/ws", "101")), "the websocket")


def test_command_line_flags(launch: Callable[..., App], server: Server, tmp_path: Path) -> None:
    app = launch("--server", server.url)
    app.window()
    wait_for(lambda: app.saved().get("server_url") == server.url, "the address to be saved")
    app.close()

    again = launch("--reset-server", home=tmp_path)
    again.window()
    wait_for(lambda: again.saved().get("server_url", "") is None, "the address to be forgotten")
    assert again.saved()["presence_enabled"] is True
    # A second launch on the same desktop (session bus) hands over to the first and exits.
    second = launch(home=tmp_path / "second", bus=again.env["DBUS_SESSION_BUS_ADDRESS"])
    assert second.process.wait(timeout=30) == 0
    assert len(again.xdotool("search", "--onlyvisible", "--name", "^Tonearm$").split()) == 1
    second.close()
    again.close()

    wrong = launch("--server", "ftp://music.lan", home=tmp_path)
    assert wrong.process.wait(timeout=30) != 0
    assert "ftp://" in wrong.close()


def test_the_window_size_is_remembered(launch: Callable[..., App], tmp_path: Path) -> None:
    app = launch(tray=True)
    window = app.window()
    app.xdotool("windowsize", window, "900", "600")
    wait_for(lambda: "900x600" in app.xdotool("getwindowgeometry", window), "the resize")
    app.tray_click("Quit")  # a clean exit, as quitting from a desktop's tray is
    assert app.process.wait(timeout=30) == 0
    app.close()
    state = json.loads((tmp_path / "config" / IDENTIFIER / ".window-state.json").read_text())
    assert (state["main"]["width"], state["main"]["height"]) == (900, 600)

    again = launch(home=tmp_path)
    window = again.window()
    wait_for(
        lambda: "Geometry: 900x600" in again.xdotool("getwindowgeometry", window),
        "the saved size",
        seconds=10,
    )
