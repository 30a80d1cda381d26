"""scripts/calls.py's parts: the table (api/calls.toml), the header's real signatures, and one
renderer per generated layer."""
