#!/bin/sh
# Log-in handler: the password set at first start-up is stored as a SHA-512 crypt hash.
read -r body
user=$(echo "$body" | sed -n 's/.*user=\([^&]*\).*/\1/p')
pass=$(echo "$body" | sed -n 's/.*pass=\([^&]*\).*/\1/p')
stored=$(grep "^$user:" /mnt/settings/webui.passwd 2>/dev/null | cut -d: -f2)
salt=$(echo "$stored" | cut -d'$' -f3)

echo "Content-Type: text/html"
if [ -n "$stored" ] && [ "$(cryptpw -m sha512 -S "$salt" "$pass")" = "$stored" ]; then
	echo "Set-Cookie: session=$(head -c 16 /dev/urandom | md5sum | cut -c1-32); HttpOnly"
	echo "Location: /index.html"
	echo ""
else
	echo "Status: 401 Unauthorized"
	echo ""
	echo "<p>Wrong user or password.</p>"
fi
