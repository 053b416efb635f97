#!/bin/sh
# Firmware update over HTTPS. An image is flashed only after its signature verifies against the
# vendor key in the read-only root, and never when it is older than the running firmware.
set -e

SERVER="https://update.@@VENDOR_DOMAIN@@/firmware/@@MODEL_SLUG@@"
PUBKEY=/etc/keys/fw-signing.pub
CURRENT=$(cat /etc/version)
FETCH="curl -fsS --proto =https --tlsv1.2 --cacert /etc/ssl/certs/ca-certificates.crt"

LATEST=$($FETCH "$SERVER/latest.txt")
[ "$LATEST" = "$CURRENT" ] && exit 0

$FETCH -o /tmp/firmware.bin "$SERVER/$LATEST/firmware.bin"
$FETCH -o /tmp/firmware.bin.sig "$SERVER/$LATEST/firmware.bin.sig"
if ! openssl pkeyutl -verify -pubin -inkey "$PUBKEY" -rawin -in /tmp/firmware.bin -sigfile /tmp/firmware.bin.sig; then
	logger -t fw-update "bad signature on $LATEST; image discarded"
	rm -f /tmp/firmware.bin /tmp/firmware.bin.sig
	exit 1
fi
if [ "$(printf '%s\n%s\n' "$CURRENT" "$LATEST" | sort -V | tail -n 1)" != "$LATEST" ]; then
	logger -t fw-update "refusing downgrade to $LATEST"
	exit 1
fi

logger -t fw-update "updating $CURRENT -> $LATEST"
mtd -r write /tmp/firmware.bin firmware
