#!/usr/bin/python3
"""A WebKitGTK browser that WebKitWebDriver can drive and that keeps its profile.

MiniBrowser, the browser WebKitGTK ships for WebDriver, makes its website data ephemeral in
automation mode, so service workers, caches and IndexedDB die with it and a relaunch cannot be
tested. This one is the same engine with its data in the directory given as --profile=DIR.
WebKitWebDriver starts it with --automation and the arguments of `webkitgtk:browserOptions`.
"""
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gtk, WebKit2  # noqa: E402

NAME = "sw-outbox-webkit"


def profile_dir(argv):
    for arg in argv:
        if arg.startswith("--profile="):
            return arg.split("=", 1)[1]
    sys.exit(f"{NAME}: --profile=DIR is required")


def main():
    directory = profile_dir(sys.argv[1:])
    manager = WebKit2.WebsiteDataManager(base_data_directory=directory, base_cache_directory=directory)
    context = WebKit2.WebContext(website_data_manager=manager)
    context.set_automation_allowed(True)
    windows = []

    def create_web_view(_session):
        view = WebKit2.WebView(web_context=context, is_controlled_by_automation=True)
        window = Gtk.Window()
        window.set_default_size(1024, 768)
        window.add(view)
        # The last window closed (the session deleted) ends the browser, its data on disk.
        view.connect("close", lambda _view: window.destroy())
        window.connect("destroy", lambda _window: windows.remove(window) or (windows or Gtk.main_quit()))
        windows.append(window)
        window.show_all()
        return view

    def automation_started(_context, session):
        info = WebKit2.ApplicationInfo()
        info.set_name(NAME)
        info.set_version(WebKit2.get_major_version(), WebKit2.get_minor_version(), WebKit2.get_micro_version())
        session.set_application_info(info)
        session.connect("create-web-view", create_web_view)

    context.connect("automation-started", automation_started)
    Gtk.main()


if __name__ == "__main__":
    main()
