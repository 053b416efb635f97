"""The live device: probing only the addresses the user names, bounded and rate-limited."""
