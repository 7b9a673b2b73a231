# The platform's buckets: landing (raw feeds), lakehouse (Delta bronze/silver/gold), artifacts
# (Spark job code, MLflow artifacts, Airflow and EMR logs), reports (daily report PDFs), plus the
# access-log bucket they all log to.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  # Bucket names are global: the account id keeps them unique and tells where they live.
  bucket_names = {
    access_logs = "${var.name_prefix}-access-logs-${local.account_id}"
    landing     = "${var.name_prefix}-landing-${local.account_id}"
    lakehouse   = "${var.name_prefix}-lakehouse-${local.account_id}"
    artifacts   = "${var.name_prefix}-artifacts-${local.account_id}"
    reports     = "${var.name_prefix}-reports-${local.account_id}"
  }
}

# S3 server access logging delivers as the logging service principal; the bucket policy lets it
# write only logs of this account's buckets.
data "aws_iam_policy_document" "access_logs" {
  statement {
    sid       = "S3ServerAccessLogsDelivery"
    actions   = ["s3:PutObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${local.bucket_names.access_logs}/*"]

    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

module "access_logs" {
  source = "../secure_bucket"

  bucket_name                        = local.bucket_names.access_logs
  kms_key_arn                        = null # server access logging cannot deliver to SSE-KMS buckets
  access_log_bucket                  = null # a log bucket does not log into itself
  noncurrent_version_expiration_days = 30
  extra_policy_json                  = data.aws_iam_policy_document.access_logs.json
  force_destroy                      = var.force_destroy
  transitions                        = [{ days = 30, storage_class = "STANDARD_IA" }]
  expiration_days                    = var.access_log_retention_days
}

module "landing" {
  source = "../secure_bucket"

  bucket_name                        = local.bucket_names.landing
  kms_key_arn                        = var.kms_key_arn
  access_log_bucket                  = module.access_logs.id
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  force_destroy                      = var.force_destroy
  # Landed files are read on the day, by late-file lookbacks (a week) and by re-runs: cool them down.
  transitions = [
    { days = var.landing_transition_ia_days, storage_class = "STANDARD_IA" },
    { days = var.landing_transition_glacier_days, storage_class = "GLACIER_IR" },
  ]
}

module "lakehouse" {
  source = "../secure_bucket"

  bucket_name                        = local.bucket_names.lakehouse
  kms_key_arn                        = var.kms_key_arn
  access_log_bucket                  = module.access_logs.id
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  force_destroy                      = var.force_destroy
  # No transitions: Delta tables are read whole by Trino and Spark; vacuum removes dead files.
}

module "artifacts" {
  source = "../secure_bucket"

  bucket_name                        = local.bucket_names.artifacts
  kms_key_arn                        = var.kms_key_arn
  access_log_bucket                  = module.access_logs.id
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  force_destroy                      = var.force_destroy
  prefix_expiration_days = {
    "logs/airflow/" = var.job_log_retention_days
    "logs/emr/"     = var.job_log_retention_days
  }
}

module "reports" {
  source = "../secure_bucket"

  bucket_name                        = local.bucket_names.reports
  kms_key_arn                        = var.kms_key_arn
  access_log_bucket                  = module.access_logs.id
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  force_destroy                      = var.force_destroy
  transitions                        = [{ days = 90, storage_class = "STANDARD_IA" }]
}
