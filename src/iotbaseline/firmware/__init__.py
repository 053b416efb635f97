"""Firmware ingestion: safe recursive extraction of vendor images into a FirmwareTree."""
