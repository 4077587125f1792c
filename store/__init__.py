"""PostgreSQL: connection, migrations and one store per resource. All SQL lives here."""
