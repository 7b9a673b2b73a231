# The Glue Data Catalog as the metastore of the Delta tables: one database per medallion layer,
# named as the layer (Trino's catalog `lakehouse` shows them as schemas bronze, silver, gold,
# exactly as on the embedded engine). Tables are Delta tables registered by location.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  catalog_arn = "arn:${data.aws_partition.current.partition}:glue:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:catalog"
}

resource "aws_glue_catalog_database" "layer" {
  for_each = toset(var.layers)

  name         = each.value
  description  = "Delta tables of the ${each.value} layer (LAKEHOUSE_ROOT/${each.value}/<table>)"
  location_uri = "s3://${var.lakehouse_bucket}/${each.value}/"
}

# Catalog metadata and connection passwords encrypted with the platform key. This is a
# per-account, per-region setting: turn it off when another stack owns it.
resource "aws_glue_data_catalog_encryption_settings" "this" {
  count = var.manage_catalog_encryption ? 1 : 0

  data_catalog_encryption_settings {
    connection_password_encryption {
      aws_kms_key_id                       = var.kms_key_arn
      return_connection_password_encrypted = true
    }

    encryption_at_rest {
      catalog_encryption_mode = "SSE-KMS"
      sse_aws_kms_key_id      = var.kms_key_arn
    }
  }
}
