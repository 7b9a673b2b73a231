variable "namespace" {
  description = "Kubernetes namespace of Trino."
  type        = string
}

variable "chart_version" {
  description = "Version of the official Trino chart."
  type        = string
}

variable "workers" {
  description = "Number of Trino workers."
  type        = number
}

variable "coordinator_heap" {
  description = "JVM max heap of the coordinator."
  type        = string
  default     = "8G"
}

variable "worker_heap" {
  description = "JVM max heap of each worker (about 70% of what a node can give it)."
  type        = string
  default     = "24G"
}

variable "service_account" {
  description = "Service account of the Trino pods (bound to role_arn)."
  type        = string
}

variable "role_arn" {
  description = "IRSA role: read the lakehouse bucket and the Glue catalog."
  type        = string
}

variable "aws_region" {
  description = "Region of Glue and S3."
  type        = string
}

variable "warehouse_host" {
  description = "RDS PostgreSQL host."
  type        = string
}

variable "warehouse_port" {
  description = "RDS PostgreSQL port."
  type        = number
}

variable "warehouse_db" {
  description = "Database with the marts."
  type        = string
}

variable "secret_name" {
  description = "Kubernetes secret with WAREHOUSE_USER, WAREHOUSE_PASSWORD and TRINO_SHARED_SECRET."
  type        = string
}

variable "tls_secret_name" {
  description = "Kubernetes secret with trino.pem (certificate and private key, PEM)."
  type        = string
}

variable "password_file_secret_name" {
  description = "Kubernetes secret with password.db (bcrypt password file of the SQL users)."
  type        = string
}

variable "groups" {
  description = "Group file contents (trino/groups.txt)."
  type        = string
}

variable "rules_json" {
  description = "File-based access control rules (trino/rules.json)."
  type        = string
}
