"""Tonearm's Discord Rich Presence companion: shows what you play in Discord (see README)."""

__version__ = "0.1.0"
