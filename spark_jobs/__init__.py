"""PySpark jobs: a pure DataFrame -> DataFrame transform plus a thin run(spark, ...) each."""
