"""Ingest: walk the library, read tags, analyse and enrich tracks."""
