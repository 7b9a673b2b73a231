"""Smart Grid Analytics lakehouse."""
