"""Reading shell scripts without running them: logical lines, words after the expansion of literal
variables, commands with their structure, and the order and gating of their execution."""

from iotbaseline.shell.flow import ScriptFlow, Step
from iotbaseline.shell.parser import Command, Frame, ShellScript, parse_script

__all__ = ["Command", "Frame", "ScriptFlow", "ShellScript", "Step", "parse_script"]
