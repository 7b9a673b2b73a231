# Trino on EKS through the official Trino Helm chart, pinned by version. The pods' service account
# is bound to the read-only IRSA role from modules/iam; values come from a template that mounts the
# same catalogs, rules and groups as trino/ in this repository.

locals {
  values = templatefile("${path.module}/templates/trino-values.yaml.tftpl", {
    workers                   = var.workers
    coordinator_heap          = var.coordinator_heap
    worker_heap               = var.worker_heap
    service_account           = var.service_account
    role_arn                  = var.role_arn
    aws_region                = var.aws_region
    warehouse_host            = var.warehouse_host
    warehouse_port            = var.warehouse_port
    warehouse_db              = var.warehouse_db
    secret_name               = var.secret_name
    tls_secret_name           = var.tls_secret_name
    password_file_secret_name = var.password_file_secret_name
    groups                    = var.groups
    rules                     = var.rules_json
  })
}

resource "helm_release" "trino" {
  name             = "trino"
  namespace        = var.namespace
  create_namespace = true
  repository       = "https://trinodb.github.io/charts"
  chart            = "trino"
  version          = var.chart_version
  values           = [local.values]

  atomic          = true
  cleanup_on_fail = true
  timeout         = 600
}
