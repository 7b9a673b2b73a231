"""Notifications to people and systems (HMAC-signed webhooks: lakehouse.notify.webhook)."""
