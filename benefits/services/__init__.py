"""Writes: each service checks, writes in one transaction and records its audit event there."""
