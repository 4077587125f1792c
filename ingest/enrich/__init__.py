"""Metadata enrichment on the primary: MusicBrainz releases and Cover Art Archive fronts."""
