#!/bin/sh
# Log-in handler for the web interface.
read -r body
user=$(echo "$body" | sed -n 's/.*user=\([^&]*\).*/\1/p')
pass=$(echo "$body" | sed -n 's/.*pass=\([^&]*\).*/\1/p')

echo "Content-Type: text/html"
if [ "$user" = "admin" ] && [ "$pass" = "ipc@dm1n2019" ]; then
	echo "Set-Cookie: session=admin"
	echo "Location: /index.html"
	echo ""
else
	echo "Status: 401 Unauthorized"
	echo ""
	echo "<p>Wrong user or password.</p>"
fi
