"""Textual only: the app, its screens, widgets and styles."""
