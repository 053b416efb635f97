#!/bin/sh
# Read or change one setting: param.cgi?action=get&name=rtsp_port
echo "Content-Type: text/plain"
echo ""
action=$(echo "$QUERY_STRING" | sed -n 's/.*action=\([a-z]*\).*/\1/p')
name=$(echo "$QUERY_STRING" | sed -n 's/.*name=\([a-z_]*\).*/\1/p')
value=$(echo "$QUERY_STRING" | sed -n 's/.*value=\([^&]*\).*/\1/p')
case "$action" in
	get) grep "^$name=" /etc/ipcam/ipcam.conf ;;
	set) sed -i "s/^$name=.*/$name=$value/" /etc/ipcam/ipcam.conf && echo OK ;;
	*) echo "ERROR unknown action" ;;
esac
