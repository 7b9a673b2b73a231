"""Sources: the feeds that fill the landing zone (simulator or real connectors)."""
