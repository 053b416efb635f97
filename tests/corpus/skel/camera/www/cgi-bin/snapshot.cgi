#!/bin/sh
# Current frame as JPEG, from the encoder's snapshot file.
echo "Content-Type: image/jpeg"
echo "Cache-Control: no-store"
echo ""
cat /tmp/ipcam/snapshot.jpg 2>/dev/null
