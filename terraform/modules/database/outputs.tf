output "address" {
  description = "Host name of the PostgreSQL endpoint."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "PostgreSQL port."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Database that holds the dbt marts."
  value       = aws_db_instance.this.db_name
}

output "resource_id" {
  description = "DbiResourceId, used in rds-db:connect IAM policies."
  value       = aws_db_instance.this.resource_id
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret (RDS-managed) with the master user's credentials."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.this.id
}
