#!/bin/sh
# Cloud agent: upload motion events straight to the vendor's S3 bucket.

export AWS_ACCESS_KEY_ID="@@AWS_ACCESS_KEY_ID@@"
export AWS_SECRET_ACCESS_KEY="@@AWS_SECRET_ACCESS_KEY@@"
export AWS_DEFAULT_REGION="eu-west-1"
BUCKET="@@VENDOR_SLUG@@-camera-events"
DEVICE=$(cat /mnt/settings/serial 2>/dev/null || hostname)

while true; do
	for event in /tmp/ipcam/events/*.jpg; do
		[ -f "$event" ] || continue
		/usr/bin/s3put "$BUCKET" "$DEVICE/$(basename "$event")" "$event" && rm -f "$event"
	done
	sleep 5
done
