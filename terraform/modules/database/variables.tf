variable "name_prefix" {
  description = "Prefix of every name, e.g. smartgrid-prod."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the DB subnet group (two availability zones at least)."
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups allowed to connect on 5432 (EKS nodes: Airflow, Trino)."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "Key for storage, the managed master secret, Performance Insights and logs."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL version (major.minor)."
  type        = string
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "allocated_storage_gb" {
  description = "Initial storage in GiB."
  type        = number
}

variable "max_allocated_storage_gb" {
  description = "Storage autoscaling ceiling in GiB."
  type        = number
}

variable "multi_az" {
  description = "Standby in a second availability zone."
  type        = bool
}

variable "backup_retention_days" {
  description = "Automated backup retention."
  type        = number
}

variable "deletion_protection" {
  description = "Refuse deletion; when false (dev) the instance is deleted without a final snapshot."
  type        = bool
}

variable "iam_authentication" {
  description = "Accept IAM authentication tokens."
  type        = bool
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention of the exported PostgreSQL logs."
  type        = number
}
