variable "name_prefix" {
  description = "Prefix of every name, e.g. smartgrid-prod."
  type        = string
}

variable "aws_region" {
  description = "Region of the key (CloudWatch Logs is granted use in this region only)."
  type        = string
}

variable "deletion_window_days" {
  description = "Waiting period before a scheduled key deletion takes effect."
  type        = number
  default     = 30
}
