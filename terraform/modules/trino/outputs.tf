output "namespace" {
  description = "Kubernetes namespace of Trino."
  value       = helm_release.trino.namespace
}

output "service" {
  description = "Kubernetes service of the coordinator (internal NLB; HTTPS on 8443)."
  value       = "${helm_release.trino.name}.${helm_release.trino.namespace}.svc"
}
