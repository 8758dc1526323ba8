"""Machinery shared by every resource: columns, identifiers, paging, conditional requests."""
