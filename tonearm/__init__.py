"""Tonearm: a self-hosted music server for music that lives on your own drives."""

__version__ = "0.1.0"
