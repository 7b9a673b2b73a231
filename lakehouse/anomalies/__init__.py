"""Meter anomaly detection: per meter and day, features against the meter's own history
(`features`), rule severities plus an Isolation Forest (`score`), the lakehouse step (`detect`),
and an injection utility for measuring recall and precision (`inject`)."""
