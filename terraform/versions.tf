# Terraform and provider versions for the scale-out deployment on AWS.
# Pinned to a minor series: `terraform init` writes the exact build into .terraform.lock.hcl,
# which is committed once the first init has run against the registry.
terraform {
  required_version = ">= 1.10.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "~> 3.0"
    }
  }

  # Partial configuration: `terraform init -backend-config=backend.hcl` (see backend.hcl.example).
  backend "s3" {}
}
