output "buckets" {
  description = "Bucket names by purpose: landing, lakehouse, artifacts, reports, access_logs."
  value = {
    landing     = module.landing.id
    lakehouse   = module.lakehouse.id
    artifacts   = module.artifacts.id
    reports     = module.reports.id
    access_logs = module.access_logs.id
  }
}

output "bucket_arns" {
  description = "Bucket ARNs by purpose."
  value = {
    landing     = module.landing.arn
    lakehouse   = module.lakehouse.arn
    artifacts   = module.artifacts.arn
    reports     = module.reports.arn
    access_logs = module.access_logs.arn
  }
}
