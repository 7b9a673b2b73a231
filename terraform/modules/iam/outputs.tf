output "emr_job_runtime_role_arn" {
  description = "executionRoleArn of every EMR Serverless job run."
  value       = aws_iam_role.emr_job_runtime.arn
}

output "airflow_role_arn" {
  description = "IRSA role of the Airflow service accounts."
  value       = aws_iam_role.airflow.arn
}

output "trino_role_arn" {
  description = "IRSA role of the Trino service account."
  value       = aws_iam_role.trino.arn
}
