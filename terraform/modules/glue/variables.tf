variable "layers" {
  description = "Medallion layers, one Glue database each."
  type        = list(string)
  default     = ["bronze", "silver", "gold"]
}

variable "lakehouse_bucket" {
  description = "Bucket of the Delta tables (LAKEHOUSE_ROOT = s3://<bucket>)."
  type        = string
}

variable "kms_key_arn" {
  description = "Key for Glue catalog encryption."
  type        = string
}

variable "manage_catalog_encryption" {
  description = "Set the account's Glue Data Catalog encryption (a per-account, per-region singleton)."
  type        = bool
  default     = true
}
