# EMR Serverless runs the project's Spark jobs (spark_jobs/*.py, spark-submit entries) on Apache
# Spark 4 with Delta Lake, reading landing and writing the lakehouse on S3, with the Glue Data
# Catalog as metastore. The application starts on the first job and stops when idle: no cost
# between daily runs. The job runtime role is in modules/iam.

resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5:Attached to the EMR Serverless application's network_configuration, a resource type this graph check does not follow.
  name        = "${var.name_prefix}-emr-serverless"
  description = "EMR Serverless Spark jobs: outbound HTTPS only (S3, Glue, STS, CloudWatch Logs)"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.this.id
  description       = "HTTPS to AWS APIs through the NAT gateway or VPC endpoints"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "shuffle" {
  security_group_id            = aws_security_group.this.id
  description                  = "Spark driver and executors talk to each other"
  referenced_security_group_id = aws_security_group.this.id
  ip_protocol                  = "-1"
}

resource "aws_vpc_security_group_ingress_rule" "shuffle" {
  security_group_id            = aws_security_group.this.id
  description                  = "Spark driver and executors talk to each other"
  referenced_security_group_id = aws_security_group.this.id
  ip_protocol                  = "-1"
}

resource "aws_cloudwatch_log_group" "jobs" {
  name              = "/aws/emr-serverless/${var.name_prefix}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_emrserverless_application" "spark" {
  name          = "${var.name_prefix}-spark"
  release_label = var.release_label
  type          = "spark"
  architecture  = "X86_64"

  maximum_capacity {
    cpu    = var.max_capacity.cpu
    memory = var.max_capacity.memory
    disk   = var.max_capacity.disk
  }

  auto_start_configuration {
    enabled = true
  }

  auto_stop_configuration {
    enabled              = true
    idle_timeout_minutes = 15
  }

  network_configuration {
    subnet_ids         = var.subnet_ids
    security_group_ids = [aws_security_group.this.id]
  }
}

locals {
  # What every job run passes as sparkSubmitParameters: Delta (shipped with the release), the Glue
  # Data Catalog as the Hive metastore (tables registered by Spark are Trino's tables), UTC like
  # lakehouse.spark.session(), and the project's code: spark_jobs.zip on the Python path and a
  # packed virtualenv (venv-pack) with the lakehouse package and its dependencies.
  code_uri = "s3://${var.artifacts_bucket}/${var.code_prefix}"
  spark_submit_parameters = join(" ", [
    "--conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension",
    "--conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog",
    "--conf spark.jars=/usr/share/aws/delta/lib/delta-spark.jar,/usr/share/aws/delta/lib/delta-storage.jar",
    "--conf spark.hadoop.hive.metastore.client.factory.class=com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory",
    "--conf spark.sql.session.timeZone=UTC",
    "--conf spark.submit.pyFiles=${local.code_uri}spark_jobs.zip",
    "--conf spark.archives=${local.code_uri}pyspark_venv.tar.gz#environment",
    "--conf spark.emr-serverless.driverEnv.PYSPARK_DRIVER_PYTHON=./environment/bin/python",
    "--conf spark.emr-serverless.driverEnv.PYSPARK_PYTHON=./environment/bin/python",
    "--conf spark.executorEnv.PYSPARK_PYTHON=./environment/bin/python",
  ])
}
