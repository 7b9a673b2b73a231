# Airflow 3 on EKS with the official Apache Airflow Helm chart, running the project's own image
# (DAGs and the lakehouse package baked in, the same image as docker-compose). MWAA was not
# chosen: it offers only the Airflow versions AWS ships, while the project pins apache-airflow in
# pyproject.toml and its DAGs need exactly that version.
#
# KubernetesExecutor (a pod per task, nothing idle), metadata in the RDS instance, task logs in S3,
# connections and variables from Secrets Manager, pods with the IRSA role from modules/iam.
# Secrets Terraform never sees: the Kubernetes secrets named in the variables are created by the
# deploy step from Secrets Manager (terraform/README.md).

resource "aws_ecr_repository" "image" {
  name                 = "${var.name_prefix}/platform"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }
}

resource "aws_ecr_lifecycle_policy" "image" {
  repository = aws_ecr_repository.image.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the newest 30 images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = 30
      }
      action = { type = "expire" }
    }]
  })
}

locals {
  values = templatefile("${path.module}/templates/airflow-values.yaml.tftpl", {
    airflow_version        = var.airflow_version
    image_repository       = aws_ecr_repository.image.repository_url
    image_tag              = var.image_tag
    role_arn               = var.role_arn
    service_accounts       = var.service_accounts
    metadata_secret_name   = var.metadata_secret_name
    fernet_key_secret_name = var.fernet_key_secret_name
    platform_secret_name   = var.platform_secret_name
    remote_base_log_folder = var.remote_base_log_folder
    secrets_backend_prefix = var.secrets_prefix
    environment            = var.environment_variables
  })
}

resource "helm_release" "airflow" {
  name             = "airflow"
  namespace        = var.namespace
  create_namespace = true
  repository       = "https://airflow.apache.org"
  chart            = "airflow"
  version          = var.chart_version
  values           = [local.values]

  atomic          = true
  cleanup_on_fail = true
  timeout         = 900
  # The chart's migration job must finish before the components start; Helm hooks handle it.
  wait = true
}
