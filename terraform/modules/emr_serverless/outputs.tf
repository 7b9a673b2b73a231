output "application_id" {
  description = "EMR Serverless application id (EmrServerlessStartJobOperator application_id)."
  value       = aws_emrserverless_application.spark.id
}

output "application_arn" {
  description = "EMR Serverless application ARN."
  value       = aws_emrserverless_application.spark.arn
}

output "security_group_id" {
  description = "Security group of the Spark jobs."
  value       = aws_security_group.this.id
}

output "log_group_name" {
  description = "CloudWatch log group for job run logs (monitoringConfiguration.cloudWatchLoggingConfiguration)."
  value       = aws_cloudwatch_log_group.jobs.name
}

output "code_uri" {
  description = "S3 prefix where the release pipeline puts the Spark job code."
  value       = local.code_uri
}

output "spark_submit_parameters" {
  description = "sparkSubmitParameters for every job run: Delta and the Glue Data Catalog."
  value       = local.spark_submit_parameters
}
