#!/bin/sh
# Held reset button: restore factory settings and reboot.
logger -t factory-reset "restoring defaults"
rm -f /etc/ipcam/wifi.conf
cp /etc/nvram.default /mnt/settings/nvram
sync
reboot
