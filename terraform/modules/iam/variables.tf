variable "name_prefix" {
  description = "Prefix of every name, e.g. smartgrid-prod."
  type        = string
}

variable "bucket_arns" {
  description = "Bucket ARNs by purpose (landing, lakehouse, artifacts, reports)."
  type        = map(string)
}

variable "kms_key_arn" {
  description = "The platform key."
  type        = string
}

variable "glue_catalog_arn" {
  description = "ARN of the account's Glue Data Catalog."
  type        = string
}

variable "glue_database_arns" {
  description = "ARNs of the bronze, silver and gold databases."
  type        = list(string)
}

variable "glue_table_arns" {
  description = "ARN patterns of the tables in those databases."
  type        = list(string)
}

variable "emr_application_arn" {
  description = "The EMR Serverless application the jobs run on."
  type        = string
}

variable "emr_log_group_name" {
  description = "CloudWatch log group of the Spark jobs."
  type        = string
}

variable "oidc_provider_arn" {
  description = "IRSA OIDC provider of the EKS cluster."
  type        = string
}

variable "oidc_issuer" {
  description = "OIDC issuer without https:// (condition key prefix)."
  type        = string
}

variable "airflow_namespace" {
  description = "Kubernetes namespace of Airflow."
  type        = string
}

variable "airflow_service_accounts" {
  description = "Service accounts of the Airflow components that may assume the Airflow role."
  type        = list(string)
}

variable "airflow_secrets_prefix" {
  description = "Secrets Manager name prefix of Airflow connections and variables."
  type        = string
}

variable "trino_namespace" {
  description = "Kubernetes namespace of Trino."
  type        = string
}

variable "trino_service_account" {
  description = "Service account of the Trino pods."
  type        = string
}
