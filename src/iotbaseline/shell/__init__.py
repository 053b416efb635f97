"""Reading shell scripts without running them, in layers, a module each:

- `tokens`: the text as the shell reads it: words (with their quoted and expanded parts), operators,
  redirections; comments, continuations and here-document bodies dealt with.
- `syntax`: the tokens as a tree: simple commands, and/or lists, pipelines, if, loops, case, functions,
  groups, background jobs.
- `expand`: a word's fields from what is known (variables, positional parameters, known command output).
- `conditions`: `[ ... ]` and `test` decided where the answer is certain.
- `run`: one run of a script on an image (`ShellReader`): the case branch of the action, loops over the
  image's files, functions when called; what cannot be decided is conditional. The boot model's reader.
- `commands`: every command of a script in source order, with the constructs around it (`parse_script`).
- `flow`: on that list, the order commands run in and what a failed command stops (`ScriptFlow`). The
  update, communication and factory-reset checks' reader.
- `options`: a command's arguments as its program reads them.
- `language`: which language a script or configuration file is written in.
"""

from iotbaseline.shell.commands import Command, Frame, ShellScript, parse_script
from iotbaseline.shell.flow import ScriptFlow, Step

__all__ = ["Command", "Frame", "ScriptFlow", "ShellScript", "Step", "parse_script"]
