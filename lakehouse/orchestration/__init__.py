"""Orchestration: the Airflow environment of the platform and the runner behind `lakehouse run`."""
