output "buckets" {
  description = "S3 buckets by purpose (LANDING_ROOT = s3://<landing>, LAKEHOUSE_ROOT = s3://<lakehouse>)."
  value       = module.storage.buckets
}

output "kms_key_arn" {
  description = "The platform's customer-managed key."
  value       = module.kms.key_arn
}

output "warehouse_endpoint" {
  description = "RDS PostgreSQL host:port (databases warehouse and airflow)."
  value       = "${module.database.address}:${module.database.port}"
}

output "warehouse_master_secret_arn" {
  description = "Secrets Manager secret (managed by RDS) with the master user's credentials."
  value       = module.database.master_user_secret_arn
}

output "eks_cluster_name" {
  description = "EKS cluster running Airflow and Trino (aws eks update-kubeconfig --name ...)."
  value       = module.eks.cluster_name
}

output "platform_image_repository" {
  description = "ECR repository for the project's image (Airflow pods)."
  value       = module.airflow.image_repository_url
}

output "emr_application_id" {
  description = "EMR Serverless application for the Spark jobs."
  value       = module.emr_serverless.application_id
}

output "emr_job_runtime_role_arn" {
  description = "Execution role of every EMR Serverless job run."
  value       = module.iam.emr_job_runtime_role_arn
}

output "emr_code_uri" {
  description = "Where the release pipeline uploads spark_jobs.zip and pyspark_venv.tar.gz."
  value       = module.emr_serverless.code_uri
}

output "emr_spark_submit_parameters" {
  description = "sparkSubmitParameters for every job run (Delta, Glue catalog, project code)."
  value       = module.emr_serverless.spark_submit_parameters
}

output "glue_databases" {
  description = "Glue databases = Trino schemas of catalog lakehouse."
  value       = module.glue.database_names
}

output "airflow_role_arn" {
  description = "IRSA role of the Airflow pods."
  value       = module.iam.airflow_role_arn
}

output "trino_role_arn" {
  description = "IRSA role of the Trino pods."
  value       = module.iam.trino_role_arn
}

output "trino_service" {
  description = "In-cluster name of the Trino coordinator service (internal NLB, HTTPS 8443)."
  value       = module.trino.service
}
