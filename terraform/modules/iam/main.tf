# Least-privilege roles of the platform's workloads, each limited to its own buckets, prefixes,
# Glue databases and key:
#   emr_job_runtime  Spark jobs on EMR Serverless: read landing, read/write lakehouse, Glue tables
#   airflow          Airflow pods (IRSA): land feeds, publish, maintain tables, run EMR jobs, reports
#   trino            Trino pods (IRSA): read the lakehouse and the Glue catalog, nothing else

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  glue_read_actions = [
    "glue:GetCatalog",
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetTableVersion",
    "glue:GetTableVersions",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
  ]
  glue_resources = concat([var.glue_catalog_arn], var.glue_database_arns, var.glue_table_arns)

  airflow_subjects = [for sa in var.airflow_service_accounts : "system:serviceaccount:${var.airflow_namespace}:${sa}"]
  trino_subject    = "system:serviceaccount:${var.trino_namespace}:${var.trino_service_account}"
}

# --- EMR Serverless job runtime role ------------------------------------------------------------

data "aws_iam_policy_document" "emr_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["emr-serverless.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [var.emr_application_arn]
    }
  }
}

resource "aws_iam_role" "emr_job_runtime" {
  name               = "${var.name_prefix}-emr-job-runtime"
  description        = "Spark jobs on EMR Serverless: read landing, read/write lakehouse, Glue tables"
  assume_role_policy = data.aws_iam_policy_document.emr_assume.json
}

data "aws_iam_policy_document" "emr_job_runtime" {
  statement {
    sid       = "ListPlatformBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.bucket_arns.landing, var.bucket_arns.lakehouse, var.bucket_arns.artifacts]
  }

  statement {
    sid       = "ReadLanding"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${var.bucket_arns.landing}/*"]
  }

  statement {
    sid       = "ReadWriteLakehouse"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bucket_arns.lakehouse}/*"]
  }

  statement {
    sid       = "ReadJobCode"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arns.artifacts}/code/*"]
  }

  statement {
    sid       = "WriteJobLogs"
    actions   = ["s3:PutObject"]
    resources = ["${var.bucket_arns.artifacts}/logs/emr/*"]
  }

  statement {
    sid       = "ReadGlueCatalog"
    actions   = local.glue_read_actions
    resources = local.glue_resources
  }

  statement {
    sid = "WriteGlueTables"
    actions = [
      "glue:CreateTable",
      "glue:UpdateTable",
      "glue:DeleteTable",
      "glue:BatchCreatePartition",
      "glue:BatchDeletePartition",
      "glue:CreatePartition",
      "glue:UpdatePartition",
      "glue:DeletePartition",
    ]
    resources = local.glue_resources
  }

  statement {
    sid       = "UsePlatformKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid       = "WriteJobLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${var.emr_log_group_name}:*"]
  }
}

resource "aws_iam_role_policy" "emr_job_runtime" {
  name   = "lakehouse-jobs"
  role   = aws_iam_role.emr_job_runtime.id
  policy = data.aws_iam_policy_document.emr_job_runtime.json
}

# --- Airflow (IRSA) -----------------------------------------------------------------------------

data "aws_iam_policy_document" "airflow_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:sub"
      values   = local.airflow_subjects
    }
  }
}

resource "aws_iam_role" "airflow" {
  name               = "${var.name_prefix}-airflow"
  description        = "Airflow pods: land feeds, publish gold, maintain Delta tables, run EMR Serverless jobs, reports"
  assume_role_policy = data.aws_iam_policy_document.airflow_assume.json
}

data "aws_iam_policy_document" "airflow" {
  statement {
    sid       = "ListPlatformBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.bucket_arns.landing, var.bucket_arns.lakehouse, var.bucket_arns.artifacts, var.bucket_arns.reports]
  }

  # Landing feeds, table maintenance through delta-rs (compact, vacuum), daily reports.
  statement {
    sid     = "ReadWriteData"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = [
      "${var.bucket_arns.landing}/*",
      "${var.bucket_arns.lakehouse}/*",
      "${var.bucket_arns.reports}/*",
    ]
  }

  # Job code for EMR (uploaded by the release pipeline, read here), MLflow artifacts, task logs.
  statement {
    sid     = "ArtifactsPrefixes"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [
      "${var.bucket_arns.artifacts}/mlflow/*",
      "${var.bucket_arns.artifacts}/logs/airflow/*",
    ]
  }

  statement {
    sid       = "ReadArtifacts"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arns.artifacts}/code/*", "${var.bucket_arns.artifacts}/logs/emr/*"]
  }

  statement {
    sid = "RunSparkJobs"
    actions = [
      "emr-serverless:StartJobRun",
      "emr-serverless:GetJobRun",
      "emr-serverless:CancelJobRun",
      "emr-serverless:ListJobRuns",
      "emr-serverless:GetApplication",
      "emr-serverless:GetDashboardForJobRun",
    ]
    resources = [var.emr_application_arn, "${var.emr_application_arn}/jobruns/*"]
  }

  statement {
    sid       = "PassJobRuntimeRole"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.emr_job_runtime.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["emr-serverless.amazonaws.com"]
    }
  }

  # Airflow's Secrets Manager backend: connections and variables under this prefix only.
  statement {
    sid       = "ReadAirflowSecrets"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = ["arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:${var.airflow_secrets_prefix}/*"]
  }

  statement {
    sid       = "UsePlatformKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "airflow" {
  name   = "smartgrid-airflow"
  role   = aws_iam_role.airflow.id
  policy = data.aws_iam_policy_document.airflow.json
}

# --- Trino (IRSA) -------------------------------------------------------------------------------

data "aws_iam_policy_document" "trino_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:sub"
      values   = [local.trino_subject]
    }
  }
}

resource "aws_iam_role" "trino" {
  name               = "${var.name_prefix}-trino"
  description        = "Trino pods: read the Delta tables and the Glue Data Catalog"
  assume_role_policy = data.aws_iam_policy_document.trino_assume.json
}

data "aws_iam_policy_document" "trino" {
  statement {
    sid       = "ListLakehouse"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.bucket_arns.lakehouse]
  }

  statement {
    sid       = "ReadLakehouse"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arns.lakehouse}/*"]
  }

  statement {
    sid       = "ReadGlueCatalog"
    actions   = local.glue_read_actions
    resources = local.glue_resources
  }

  statement {
    sid       = "DecryptWithPlatformKey"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "trino" {
  name   = "smartgrid-trino"
  role   = aws_iam_role.trino.id
  policy = data.aws_iam_policy_document.trino.json
}
