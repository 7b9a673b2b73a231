# Production account: highly available, protected, long retention. Defaults in variables.tf are the
# production choices; this file names the account's network and sizes.
environment = "prod"
aws_region  = "eu-central-1"

vpc_id             = "vpc-0f1e2d3c4b5a60002"
private_subnet_ids = ["subnet-0f1e2d3c4b5a60021", "subnet-0f1e2d3c4b5a60022", "subnet-0f1e2d3c4b5a60023"]
vpc_cidr_blocks    = ["10.30.0.0/16"]

eks_admin_principal_arns = ["arn:aws:iam::222222222222:role/platform-engineers"]
eks_node_instance_types  = ["r6i.2xlarge"]
eks_node_count           = { desired = 3, min = 3, max = 8 }

airflow_image_tag = "0.1.0"

db_instance_class           = "db.r6g.large"
db_allocated_storage_gb     = 100
db_max_allocated_storage_gb = 1000
db_multi_az                 = true
db_backup_retention_days    = 14
db_deletion_protection      = true
db_iam_authentication       = true

emr_max_capacity = { cpu = "64 vCPU", memory = "256 GB", disk = "1000 GB" }
trino_workers    = 3

noncurrent_version_expiration_days = 90
log_retention_days                 = 365
force_destroy_buckets              = false

tags = {
  Owner      = "platform-team"
  CostCentre = "grid-analytics"
}
