variable "name_prefix" {
  description = "Prefix of every name, e.g. smartgrid-prod."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of Airflow."
  type        = string
}

variable "chart_version" {
  description = "Version of the official Apache Airflow chart."
  type        = string
}

variable "airflow_version" {
  description = "Airflow version inside the image."
  type        = string
}

variable "image_tag" {
  description = "Tag of the project's image in the ECR repository."
  type        = string
}

variable "kms_key_arn" {
  description = "Key for the ECR repository."
  type        = string
}

variable "role_arn" {
  description = "IRSA role of the Airflow service accounts."
  type        = string
}

variable "service_accounts" {
  description = "Service account per chart component: scheduler, workers, triggerer, dag_processor, api_server (all bound to the IRSA role)."
  type = object({
    scheduler     = string
    workers       = string
    triggerer     = string
    dag_processor = string
    api_server    = string
  })
}

variable "metadata_secret_name" {
  description = "Kubernetes secret with key `connection`: the metadata database URL."
  type        = string
}

variable "fernet_key_secret_name" {
  description = "Kubernetes secret with key `fernet-key`."
  type        = string
}

variable "platform_secret_name" {
  description = "Kubernetes secret whose keys become environment variables (WAREHOUSE_URL, ENTSOE_TOKEN, WEBHOOK_SECRET, ...)."
  type        = string
}

variable "remote_base_log_folder" {
  description = "s3:// folder of the task logs."
  type        = string
}

variable "secrets_prefix" {
  description = "Secrets Manager prefix of Airflow connections and variables."
  type        = string
}

variable "environment_variables" {
  description = "Plain (non-secret) settings for every Airflow pod."
  type        = map(string)
}
