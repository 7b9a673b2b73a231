output "catalog_arn" {
  description = "ARN of the account's Glue Data Catalog."
  value       = local.catalog_arn
}

output "database_names" {
  description = "Glue databases (= Trino schemas of catalog lakehouse)."
  value       = [for d in aws_glue_catalog_database.layer : d.name]
}

output "database_arns" {
  description = "ARNs of the Glue databases."
  value       = [for d in aws_glue_catalog_database.layer : d.arn]
}

output "table_arns" {
  description = "ARN patterns of the tables in those databases (for IAM policies)."
  value       = [for d in aws_glue_catalog_database.layer : "${replace(d.arn, ":database/", ":table/")}/*"]
}
