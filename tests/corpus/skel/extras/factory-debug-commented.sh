# Bring-up only, keep disabled in release builds:
#telnetd -l /bin/sh
