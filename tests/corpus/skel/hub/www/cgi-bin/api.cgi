#!/bin/sh
# GET /cgi-bin/api.cgi?devices: the paired devices, as the broker last saw them.
echo "Content-Type: application/json"
echo ""
case "$QUERY_STRING" in
	devices) cat /var/lib/hub/devices.json 2>/dev/null || echo "[]" ;;
	version) printf '{"firmware":"%s"}\n' "$(cat /etc/version)" ;;
	*) echo '{"error":"unknown request"}' ;;
esac
