"""The bottom layer: what one reported record is, shared by intake (reading) and store (versions)."""
