# Smart Grid Analytics on AWS: the scale-out column of DESIGN.md ("one code path, two scales").
#
#   S3 (landing, lakehouse, artifacts, reports) -- EMR Serverless (Spark 4 + Delta) -- Glue catalog
#        |                                                                                |
#   Airflow on EKS (project image) -- RDS PostgreSQL (warehouse + Airflow metadata) -- Trino on EKS
#
# Everything is encrypted with one customer-managed key per environment; each workload has its own
# least-privilege role (modules/iam). Network: an existing VPC and its private subnets.

locals {
  name_prefix = "${var.project}-${var.environment}"
  tags = merge(var.tags, {
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "terraform"
    Repository  = "smartgrid-analytics/terraform"
  })

  airflow_namespace = "airflow"
  airflow_service_accounts = {
    scheduler     = "airflow-scheduler"
    workers       = "airflow-worker"
    triggerer     = "airflow-triggerer"
    dag_processor = "airflow-dag-processor"
    api_server    = "airflow-api-server"
  }
  airflow_secrets_prefix = "${local.name_prefix}/airflow"

  trino_namespace       = "trino"
  trino_service_account = "trino"
}

module "kms" {
  source = "./modules/kms"

  name_prefix = local.name_prefix
  aws_region  = var.aws_region
}

module "storage" {
  source = "./modules/storage"

  name_prefix                        = local.name_prefix
  kms_key_arn                        = module.kms.key_arn
  landing_transition_ia_days         = var.landing_transition_ia_days
  landing_transition_glacier_days    = var.landing_transition_glacier_days
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  access_log_retention_days          = var.access_log_retention_days
  job_log_retention_days             = var.log_retention_days
  force_destroy                      = var.force_destroy_buckets
}

module "glue" {
  source = "./modules/glue"

  lakehouse_bucket = module.storage.buckets.lakehouse
  kms_key_arn      = module.kms.key_arn
}

module "eks" {
  source = "./modules/eks"

  name_prefix             = local.name_prefix
  kubernetes_version      = var.eks_version
  vpc_id                  = var.vpc_id
  subnet_ids              = var.private_subnet_ids
  api_allowed_cidr_blocks = var.vpc_cidr_blocks
  kms_key_arn             = module.kms.key_arn
  admin_principal_arns    = var.eks_admin_principal_arns
  node_instance_types     = var.eks_node_instance_types
  node_count              = var.eks_node_count
  log_retention_days      = var.log_retention_days
}

module "database" {
  source = "./modules/database"

  name_prefix               = local.name_prefix
  vpc_id                    = var.vpc_id
  subnet_ids                = var.private_subnet_ids
  client_security_group_ids = [module.eks.cluster_security_group_id]
  kms_key_arn               = module.kms.key_arn
  engine_version            = var.db_engine_version
  instance_class            = var.db_instance_class
  allocated_storage_gb      = var.db_allocated_storage_gb
  max_allocated_storage_gb  = var.db_max_allocated_storage_gb
  multi_az                  = var.db_multi_az
  backup_retention_days     = var.db_backup_retention_days
  deletion_protection       = var.db_deletion_protection
  iam_authentication        = var.db_iam_authentication
  log_retention_days        = var.log_retention_days
}

module "emr_serverless" {
  source = "./modules/emr_serverless"

  name_prefix        = local.name_prefix
  release_label      = var.emr_release_label
  vpc_id             = var.vpc_id
  subnet_ids         = var.private_subnet_ids
  max_capacity       = var.emr_max_capacity
  artifacts_bucket   = module.storage.buckets.artifacts
  kms_key_arn        = module.kms.key_arn
  log_retention_days = var.log_retention_days
}

module "iam" {
  source = "./modules/iam"

  name_prefix              = local.name_prefix
  bucket_arns              = module.storage.bucket_arns
  kms_key_arn              = module.kms.key_arn
  glue_catalog_arn         = module.glue.catalog_arn
  glue_database_arns       = module.glue.database_arns
  glue_table_arns          = module.glue.table_arns
  emr_application_arn      = module.emr_serverless.application_arn
  emr_log_group_name       = module.emr_serverless.log_group_name
  oidc_provider_arn        = module.eks.oidc_provider_arn
  oidc_issuer              = module.eks.oidc_issuer
  airflow_namespace        = local.airflow_namespace
  airflow_service_accounts = values(local.airflow_service_accounts)
  airflow_secrets_prefix   = local.airflow_secrets_prefix
  trino_namespace          = local.trino_namespace
  trino_service_account    = local.trino_service_account
}

module "airflow" {
  source = "./modules/airflow"

  name_prefix            = local.name_prefix
  namespace              = local.airflow_namespace
  chart_version          = var.airflow_chart_version
  airflow_version        = var.airflow_version
  image_tag              = var.airflow_image_tag
  kms_key_arn            = module.kms.key_arn
  role_arn               = module.iam.airflow_role_arn
  service_accounts       = local.airflow_service_accounts
  metadata_secret_name   = "airflow-metadata"
  fernet_key_secret_name = "airflow-fernet-key"
  platform_secret_name   = "smartgrid-platform"
  remote_base_log_folder = "s3://${module.storage.buckets.artifacts}/logs/airflow"
  secrets_prefix         = local.airflow_secrets_prefix

  # lakehouse/settings.py, scale-out column: data on S3, Spark on EMR Serverless.
  environment_variables = {
    LAKEHOUSE_HOME              = "/tmp/lakehouse"
    LAKEHOUSE_ROOT              = "s3://${module.storage.buckets.lakehouse}"
    LANDING_ROOT                = "s3://${module.storage.buckets.landing}"
    AWS_REGION                  = var.aws_region
    AWS_DEFAULT_REGION          = var.aws_region
    EMR_APPLICATION_ID          = module.emr_serverless.application_id
    EMR_EXECUTION_ROLE_ARN      = module.iam.emr_job_runtime_role_arn
    EMR_CODE_URI                = module.emr_serverless.code_uri
    EMR_LOG_URI                 = "s3://${module.storage.buckets.artifacts}/logs/emr/"
    EMR_SPARK_SUBMIT_PARAMETERS = module.emr_serverless.spark_submit_parameters
    REPORTS_URI                 = "s3://${module.storage.buckets.reports}"
  }
}

module "trino" {
  source = "./modules/trino"

  namespace                 = local.trino_namespace
  chart_version             = var.trino_chart_version
  workers                   = var.trino_workers
  service_account           = local.trino_service_account
  role_arn                  = module.iam.trino_role_arn
  aws_region                = var.aws_region
  warehouse_host            = module.database.address
  warehouse_port            = module.database.port
  warehouse_db              = module.database.database_name
  secret_name               = "trino-secrets"
  tls_secret_name           = "trino-tls"
  password_file_secret_name = "trino-password-file"
  # The same rules and groups as the embedded engine (trino/ at the repository root).
  groups     = file("${path.module}/../trino/groups.txt")
  rules_json = file("${path.module}/../trino/rules.json")
}
