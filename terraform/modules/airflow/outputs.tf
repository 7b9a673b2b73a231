output "image_repository_url" {
  description = "ECR repository of the project's image (push the release tag here)."
  value       = aws_ecr_repository.image.repository_url
}

output "namespace" {
  description = "Kubernetes namespace of Airflow."
  value       = helm_release.airflow.namespace
}
