from iotbaseline.cli import run

run()
