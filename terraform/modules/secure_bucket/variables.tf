variable "bucket_name" {
  description = "Globally unique bucket name."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3-63 characters of lower-case letters, digits, dots and hyphens."
  }
}

variable "kms_key_arn" {
  description = "KMS key for SSE-KMS; null only for the access-log bucket (SSE-S3)."
  type        = string
  default     = null
}

variable "access_log_bucket" {
  description = "Bucket that receives this bucket's server access logs; null only for the access-log bucket itself."
  type        = string
  default     = null
}

variable "noncurrent_version_expiration_days" {
  description = "Days that noncurrent object versions are kept."
  type        = number
}

variable "transitions" {
  description = "Storage-class transitions of the whole bucket, e.g. [{ days = 30, storage_class = \"STANDARD_IA\" }]."
  type        = list(object({ days = number, storage_class = string }))
  default     = []
}

variable "expiration_days" {
  description = "Days after which current objects of the whole bucket expire; null keeps them."
  type        = number
  default     = null
}

variable "prefix_expiration_days" {
  description = "Prefix => days after which objects under it expire (e.g. job logs)."
  type        = map(number)
  default     = {}
}

variable "extra_policy_json" {
  description = "Additional bucket policy statements (JSON policy document), merged with the TLS-only statements."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Allow destroying the bucket while it still holds objects."
  type        = bool
  default     = false
}
