variable "name_prefix" {
  description = "Prefix of every name, e.g. smartgrid-prod."
  type        = string
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the control plane ENIs and the nodes."
  type        = list(string)
}

variable "api_allowed_cidr_blocks" {
  description = "CIDR blocks allowed to reach the private Kubernetes API."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "Key for Kubernetes secrets, node volumes and the control-plane log group."
  type        = string
}

variable "admin_principal_arns" {
  description = "IAM principals with cluster-admin access entries."
  type        = list(string)
}

variable "node_instance_types" {
  description = "Instance types of the managed node group."
  type        = list(string)
}

variable "node_count" {
  description = "Desired, min and max nodes."
  type = object({
    desired = number
    min     = number
    max     = number
  })
}

variable "node_disk_gb" {
  description = "Root volume of each node (container images, Trino spill)."
  type        = number
  default     = 100
}

variable "log_retention_days" {
  description = "Retention of the control-plane logs."
  type        = number
}
