#!/bin/sh
# Firmware update: ask the update server for a newer image and flash it.

SERVER="http://update.@@VENDOR_DOMAIN@@/firmware/@@MODEL_SLUG@@"
CURRENT=$(cat /etc/version)

LATEST=$(wget -q -O - "$SERVER/latest.txt")
[ -n "$LATEST" ] || exit 0
[ "$LATEST" = "$CURRENT" ] && exit 0

logger -t fw-update "updating $CURRENT -> $LATEST"
wget -q -O /tmp/firmware.bin "$SERVER/$LATEST/firmware.bin"
mtd -r write /tmp/firmware.bin firmware
