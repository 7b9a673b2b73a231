"""Storage: URIs (local or S3), the Delta write API and table maintenance."""
