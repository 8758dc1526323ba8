"""Safe retries: an ``Idempotency-Key`` on a POST makes repeating it harmless."""
