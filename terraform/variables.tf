# Inputs of the scale-out deployment. Defaults are the safe (production-like) choices; the
# environments/*.tfvars files relax only what a development account can afford to.

variable "project" {
  description = "Short name used as a prefix for every resource."
  type        = string
  default     = "smartgrid"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.project))
    error_message = "project must be 3-20 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Deployment stage: dev or prod. Each stage lives in its own AWS account (the Glue databases bronze/silver/gold are per account and region)."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
  }
}

variable "aws_region" {
  description = "AWS region of the deployment (the platform's AWS_REGION)."
  type        = string
  default     = "eu-central-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region code such as eu-central-1."
  }
}

variable "tags" {
  description = "Extra tags for every resource (owner, cost centre)."
  type        = map(string)
  default     = {}
}

# --- network: an existing VPC (landing zones usually own the network) ---------------------------

variable "vpc_id" {
  description = "Existing VPC for RDS, EKS and EMR Serverless."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets (at least two, in different availability zones) with a NAT gateway or VPC endpoints for S3, ECR, STS, Glue, Secrets Manager and CloudWatch Logs."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2 && alltrue([for s in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "private_subnet_ids needs at least two subnet ids (subnet-...)."
  }
}

variable "vpc_cidr_blocks" {
  description = "CIDR blocks of the VPC: the only sources allowed to reach the Kubernetes API and the internal Trino and Airflow endpoints."
  type        = list(string)

  validation {
    condition     = length(var.vpc_cidr_blocks) > 0 && alltrue([for c in var.vpc_cidr_blocks : can(cidrhost(c, 0))])
    error_message = "vpc_cidr_blocks must be a non-empty list of CIDR blocks such as 10.20.0.0/16."
  }
}

# --- storage ------------------------------------------------------------------------------------

variable "landing_transition_ia_days" {
  description = "Days after which landed files move to S3 Standard-IA (they are read again only by late-file lookbacks and re-runs)."
  type        = number
  default     = 30

  validation {
    condition     = var.landing_transition_ia_days >= 30
    error_message = "landing_transition_ia_days must be at least 30 (S3's minimum for Standard-IA)."
  }
}

variable "landing_transition_glacier_days" {
  description = "Days after which landed files move to Glacier Instant Retrieval."
  type        = number
  default     = 90

  validation {
    condition     = var.landing_transition_glacier_days >= 90 && var.landing_transition_glacier_days >= var.landing_transition_ia_days + 30
    error_message = "landing_transition_glacier_days must be at least 90 and at least 30 days after landing_transition_ia_days (S3's minimum stay in Standard-IA)."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days that overwritten or deleted object versions are kept (recovery window for every bucket)."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && var.noncurrent_version_expiration_days <= 3650
    error_message = "noncurrent_version_expiration_days must be between 1 and 3650."
  }
}

variable "access_log_retention_days" {
  description = "Days that S3 server access logs are kept."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_retention_days >= 90
    error_message = "access_log_retention_days must be at least 90."
  }
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention for RDS, EKS and EMR Serverless logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts (e.g. 30, 90, 365)."
  }
}

variable "force_destroy_buckets" {
  description = "Allow `terraform destroy` to delete non-empty buckets. Only for throw-away dev accounts."
  type        = bool
  default     = false
}

# --- warehouse (RDS PostgreSQL) -----------------------------------------------------------------

variable "db_engine_version" {
  description = "PostgreSQL major.minor for the warehouse and Airflow's metadata database."
  type        = string
  default     = "17.5"

  validation {
    condition     = can(regex("^1[4-9]\\.[0-9]+$", var.db_engine_version))
    error_message = "db_engine_version must be a PostgreSQL version 14 or later, as major.minor (e.g. 17.5)."
  }
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.r6g.large"

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.db_instance_class))
    error_message = "db_instance_class must be an RDS class such as db.t4g.medium."
  }
}

variable "db_allocated_storage_gb" {
  description = "Initial storage (GiB); storage autoscaling grows it up to db_max_allocated_storage_gb."
  type        = number
  default     = 100

  validation {
    condition     = var.db_allocated_storage_gb >= 20
    error_message = "db_allocated_storage_gb must be at least 20."
  }
}

variable "db_max_allocated_storage_gb" {
  description = "Upper bound for RDS storage autoscaling (GiB)."
  type        = number
  default     = 500

  validation {
    condition     = var.db_max_allocated_storage_gb >= 20
    error_message = "db_max_allocated_storage_gb must be at least 20."
  }
}

variable "db_multi_az" {
  description = "Run a standby in a second availability zone."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 14

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 1 and 35."
  }
}

variable "db_deletion_protection" {
  description = "Refuse to delete the database (and take a final snapshot when it is deleted)."
  type        = bool
  default     = true
}

variable "db_iam_authentication" {
  description = "Also accept IAM database authentication tokens (users granted rds_iam)."
  type        = bool
  default     = true
}

# --- Kubernetes (EKS) for Airflow and Trino -----------------------------------------------------

variable "eks_version" {
  description = "Kubernetes version of the EKS cluster."
  type        = string
  default     = "1.33"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.eks_version))
    error_message = "eks_version must be a Kubernetes minor version such as 1.33."
  }
}

variable "eks_admin_principal_arns" {
  description = "IAM roles or users that get cluster-admin on the EKS cluster (access entries)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.eks_admin_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", a))])
    error_message = "eks_admin_principal_arns must be IAM role or user ARNs."
  }
}

variable "eks_node_instance_types" {
  description = "Instance types of the managed node group (Trino workers want memory)."
  type        = list(string)
  default     = ["r6i.2xlarge"]

  validation {
    condition     = length(var.eks_node_instance_types) > 0
    error_message = "eks_node_instance_types needs at least one instance type."
  }
}

variable "eks_node_count" {
  description = "Node group size: desired, min and max nodes."
  type = object({
    desired = number
    min     = number
    max     = number
  })
  default = { desired = 3, min = 2, max = 6 }

  validation {
    condition     = var.eks_node_count.min >= 1 && var.eks_node_count.min <= var.eks_node_count.desired && var.eks_node_count.desired <= var.eks_node_count.max
    error_message = "eks_node_count must satisfy 1 <= min <= desired <= max."
  }
}

# --- Airflow on EKS (official Apache Airflow chart, the project's image) -----------------------

variable "airflow_chart_version" {
  description = "Version of the official Apache Airflow Helm chart (https://airflow.apache.org)."
  type        = string
  default     = "1.20.0"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.airflow_chart_version))
    error_message = "airflow_chart_version must be an exact chart version such as 1.20.0."
  }
}

variable "airflow_version" {
  description = "Airflow version inside the project's image (pyproject.toml pins apache-airflow)."
  type        = string
  default     = "3.3.2"

  validation {
    condition     = can(regex("^3\\.[0-9]+\\.[0-9]+$", var.airflow_version))
    error_message = "airflow_version must be an Airflow 3 version such as 3.3.2."
  }
}

variable "airflow_image_tag" {
  description = "Tag of the project's image in the ECR repository this stack creates (pushed by the release pipeline; tags are immutable)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.airflow_image_tag)) && var.airflow_image_tag != "latest"
    error_message = "airflow_image_tag must be a Docker tag other than latest (e.g. a release or a git sha)."
  }
}

# --- Spark (EMR Serverless) ---------------------------------------------------------------------

variable "emr_release_label" {
  description = "EMR Serverless release: emr-spark-8.0.0 runs Apache Spark 4.0 with Delta Lake 4.0."
  type        = string
  default     = "emr-spark-8.0.0"

  validation {
    condition     = can(regex("^emr-(spark-)?[0-9]+\\.[0-9]+\\.[0-9]+$", var.emr_release_label))
    error_message = "emr_release_label must be an EMR release label such as emr-spark-8.0.0."
  }
}

variable "emr_max_capacity" {
  description = "Upper bound of what all running jobs of the EMR Serverless application may use together."
  type = object({
    cpu    = string
    memory = string
    disk   = string
  })
  default = { cpu = "64 vCPU", memory = "256 GB", disk = "1000 GB" }

  validation {
    condition     = can(regex("^[0-9]+ vCPU$", var.emr_max_capacity.cpu)) && can(regex("^[0-9]+ GB$", var.emr_max_capacity.memory)) && can(regex("^[0-9]+ GB$", var.emr_max_capacity.disk))
    error_message = "emr_max_capacity must look like { cpu = \"64 vCPU\", memory = \"256 GB\", disk = \"1000 GB\" }."
  }
}

# --- Trino on EKS -------------------------------------------------------------------------------

variable "trino_chart_version" {
  description = "Version of the official Trino Helm chart (https://trinodb.github.io/charts)."
  type        = string
  default     = "1.37.0"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.trino_chart_version))
    error_message = "trino_chart_version must be an exact chart version such as 1.37.0."
  }
}

variable "trino_workers" {
  description = "Number of Trino workers."
  type        = number
  default     = 3

  validation {
    condition     = var.trino_workers >= 1 && var.trino_workers <= 100
    error_message = "trino_workers must be between 1 and 100."
  }
}
