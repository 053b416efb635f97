"""Checks: each looks for one concern and yields Findings; the runner gives them the inputs."""
