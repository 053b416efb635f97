#!/bin/sh
echo "Content-Type: application/json"
echo ""
printf '{"model":"@@MODEL@@","firmware":"%s","uptime":"%s"}\n' "$(cat /etc/version)" "$(cut -d' ' -f1 /proc/uptime)"
