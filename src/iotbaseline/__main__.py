from iotbaseline.cli import main

main()
