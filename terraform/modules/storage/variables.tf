variable "name_prefix" {
  description = "Prefix of every name, e.g. smartgrid-prod."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for SSE-KMS on the data buckets."
  type        = string
}

variable "landing_transition_ia_days" {
  description = "Days before landed files move to Standard-IA."
  type        = number
}

variable "landing_transition_glacier_days" {
  description = "Days before landed files move to Glacier Instant Retrieval."
  type        = number
}

variable "noncurrent_version_expiration_days" {
  description = "Days that noncurrent object versions are kept."
  type        = number
}

variable "access_log_retention_days" {
  description = "Days that S3 server access logs are kept."
  type        = number
}

variable "job_log_retention_days" {
  description = "Days that Airflow task logs and EMR job logs under artifacts/logs/ are kept."
  type        = number
}

variable "force_destroy" {
  description = "Allow destroying non-empty buckets."
  type        = bool
}
