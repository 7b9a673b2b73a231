"""The work that the DAGs schedule: plain functions of a local day, callable without Airflow."""
