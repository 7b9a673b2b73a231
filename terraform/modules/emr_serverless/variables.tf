variable "name_prefix" {
  description = "Prefix of every name, e.g. smartgrid-prod."
  type        = string
}

variable "release_label" {
  description = "EMR release label (emr-spark-8.0.0: Spark 4.0, Delta 4.0)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the job network interfaces."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the jobs."
  type        = list(string)
}

variable "max_capacity" {
  description = "Ceiling of all concurrent jobs: cpu, memory, disk."
  type = object({
    cpu    = string
    memory = string
    disk   = string
  })
}

variable "artifacts_bucket" {
  description = "Bucket with the job code (spark_jobs/ and the lakehouse package) and job logs."
  type        = string
}

variable "code_prefix" {
  description = "Prefix of the job code in the artifacts bucket."
  type        = string
  default     = "code/"
}

variable "kms_key_arn" {
  description = "Key for the job log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the job logs in CloudWatch."
  type        = number
}
