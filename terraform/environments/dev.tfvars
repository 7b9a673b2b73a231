# Development account: small, cheap, disposable. terraform plan -var-file=environments/dev.tfvars
environment = "dev"
aws_region  = "eu-central-1"

vpc_id             = "vpc-0a1b2c3d4e5f60001"
private_subnet_ids = ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"]
vpc_cidr_blocks    = ["10.20.0.0/16"]

eks_admin_principal_arns = ["arn:aws:iam::111111111111:role/platform-engineers"]
eks_node_instance_types  = ["r6i.xlarge"]
eks_node_count           = { desired = 2, min = 1, max = 3 }

airflow_image_tag = "0.1.0"

db_instance_class           = "db.t4g.medium"
db_allocated_storage_gb     = 20
db_max_allocated_storage_gb = 100
db_multi_az                 = false
db_backup_retention_days    = 3
db_deletion_protection      = false

emr_max_capacity = { cpu = "16 vCPU", memory = "64 GB", disk = "200 GB" }
trino_workers    = 1

noncurrent_version_expiration_days = 14
log_retention_days                 = 30
force_destroy_buckets              = true

tags = {
  Owner      = "platform-team"
  CostCentre = "grid-analytics-dev"
}
