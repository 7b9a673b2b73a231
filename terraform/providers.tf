provider "aws" {
  region = var.aws_region

  default_tags {
    tags = local.tags
  }
}

# Helm talks to the EKS cluster created here, authenticating with a short-lived token from
# `aws eks get-token` (the AWS CLI must be on PATH where terraform runs), never a stored kubeconfig.
provider "helm" {
  kubernetes = {
    host                   = module.eks.cluster_endpoint
    cluster_ca_certificate = base64decode(module.eks.cluster_certificate_authority)
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", module.eks.cluster_name, "--region", var.aws_region]
    }
  }
}
