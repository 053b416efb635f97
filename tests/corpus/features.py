"""The catalogue of features: plants (what the checks must find), traps (what they must not flag) and
the neutral parts of device profiles. A recipe lists plants and traps by these names.

Record kinds are stable identifiers later checks are tested against:
  plants: weak-password, empty-password, uid0-account, des-crypt-hash, telnet-enabled,
          serial-root-shell, private-key, certificate, cloud-credential, hardcoded-password,
          mqtt-anonymous, insecure-update, tls-verification-disabled, snmp-default-community,
          web-server-root, setuid-escalation, writable-search-path
  traps:  telnet-commented, disabled-service, ssh-password-login-disabled, empty-host-key,
          pem-marker-in-binary, documentation-key, locked-account, strong-password,
          signed-update, public-key, https-only-web, factory-reset, setuid-drops-privileges,
          origin-search-path
"""

from __future__ import annotations

from tests.corpus.credentials import FIRMWARE_SIGNING_KEY
from tests.corpus.model import Account, Edit, Feature, Hashed, Key, Locked, Login, NoPassword, Program, Unique

# Vendor SDKs bake one salt into every build, so a default password gives the same hash everywhere.
SDK_MD5_SALT = "Zq3rT0vB"
SDK_APR1_SALT = "k8Jd2xQa"
SDK_BCRYPT_SALT = "Vq1kR8mZp2Lx0Tn4Wb7Ys6"

# The white-label key: one RSA key in the firmware of two brands.
VENDOR_RSA = Key("vendor-rsa-2048", "rsa", "rsa-pem", shared=True)

# ---- accounts -------------------------------------------------------------------------------------------

ROOT = Account("root", 0, 0, Unique("sha512crypt"), "root", "/root", "/bin/sh")
DAEMON = Account("daemon", 1, 1, Locked("*"), "daemon", "/usr/sbin", "/bin/false")
NOBODY = Account("nobody", 65534, 65534, Locked("*"), "nobody", "/nonexistent", "/bin/false")
WWW_DATA = Account("www-data", 33, 33, Locked("*"), "www-data", "/www", "/bin/false")


# ---- plants ---------------------------------------------------------------------------------------------

ROOT_WEAK_MD5 = Feature(
    "weak-password",
    accounts=(Account("root", 0, 0, Hashed("md5crypt", "admin", SDK_MD5_SALT), "root", "/root", "/bin/sh"),),
    path="etc/shadow",
    match="root:$1$",
    details=(("user", "root"), ("scheme", "md5crypt"), ("password", "admin")),
)
ROOT_WEAK_DES = Feature(
    "weak-password",
    accounts=(
        Account("root", 0, 0, Hashed("descrypt", "xc3511", "ab"), "root", "/root", "/bin/sh", hash_in_passwd=True),
    ),
    path="etc/passwd",
    match="root:ab",
    details=(("user", "root"), ("scheme", "descrypt"), ("password", "xc3511")),
)
GUEST_EMPTY = Feature(
    "empty-password",
    accounts=(Account("guest", 1000, 100, NoPassword(), "guest", "/tmp", "/bin/sh"),),
    path="etc/shadow",
    match="guest::",
    details=(("user", "guest"),),
)
SECOND_UID0 = Feature(
    "uid0-account",
    accounts=(Account("admin", 0, 0, Unique("sha256crypt"), "admin", "/root", "/bin/sh"),),
    path="etc/passwd",
    match="admin:x:0:0:",
    details=(("user", "admin"),),
)
SUPPORT_DES = Feature(
    "des-crypt-hash",
    accounts=(
        Account(
            "support", 1001, 100, Hashed("descrypt", "support", "sp"), "support", "/tmp", "/bin/sh", hash_in_passwd=True
        ),
    ),
    path="etc/passwd",
    match="support:sp",
    details=(("user", "support"), ("scheme", "descrypt"), ("password", "support")),
)
TELNET_SHELL = Feature(
    "telnet-enabled",
    edits=(Edit("etc/init.d/rcS", template="factory-debug.sh", append=True),),
    match="telnetd -l /bin/sh",
    details=(("command", "telnetd -l /bin/sh"), ("shell", "/bin/sh")),
)
SERIAL_ROOT_SHELL = Feature(
    "serial-root-shell",
    variables=(("CONSOLE", "::askfirst:-/bin/sh"),),
    path="etc/inittab",
    match="::askfirst:-/bin/sh",
    details=(("shell", "/bin/sh"),),
)
VENDOR_TLS_KEY = Feature(
    "private-key",
    edits=(
        Edit("etc/ssl/private/server.key", key=VENDOR_RSA, mode=0o600),
        Edit("etc/lighttpd/lighttpd.conf", template="lighttpd-tls.conf", append=True),
    ),
    match="-----BEGIN RSA PRIVATE KEY-----",
)
VENDOR_CERTIFICATE = Feature(
    "certificate",
    edits=(
        Edit(
            "etc/ssl/certs/server.crt", key=Key("vendor-rsa-2048", "rsa", "x509-pem", shared=True, subject="IP Camera")
        ),
    ),
    match="-----BEGIN CERTIFICATE-----",
    details=(("self_signed", True), ("subject", "CN=IP Camera")),
)
DEVICE_EC_KEY = Feature(
    "private-key",
    edits=(Edit("etc/hub/device.key", key=Key("device-ec-p256", "ec", "pkcs8-pem"), mode=0o600),),
    match="-----BEGIN PRIVATE KEY-----",
)
SUPPORT_SSH_KEY = Feature(
    "private-key",
    edits=(Edit("root/.ssh/id_ed25519", key=Key("support-ed25519", "ed25519", "openssh"), mode=0o600),),
    match="-----BEGIN OPENSSH PRIVATE KEY-----",
)
DROPBEAR_HOST_KEY = Feature(
    "private-key",
    edits=(Edit("etc/dropbear/dropbear_rsa_host_key", key=Key("dropbear-rsa", "rsa", "dropbear"), mode=0o600),),
)
FACTORY_EC_KEY = Feature(
    "private-key",
    rootfs="data",
    edits=(Edit("factory/device.key", key=Key("factory-ec-p256", "ec", "sec1-pem"), mode=0o600),),
    match="-----BEGIN EC PRIVATE KEY-----",
)
AWS_KEYS = Feature(
    "cloud-credential",
    edits=(Edit("usr/bin/cloud-agent", template="cloud-agent-aws.sh", mode=0o755),),
    match="export AWS_ACCESS_KEY_ID=",
    details=(("provider", "aws"), ("access_key_id", "@@AWS_ACCESS_KEY_ID@@")),
)
CGI_HARDCODED_PASSWORD = Feature(
    "hardcoded-password",
    edits=(Edit("www/cgi-bin/login.cgi", template="login-hardcoded.cgi", mode=0o755),),
    match='if [ "$user" = "admin" ] && [ "$pass" = "ipc@dm1n2019" ]; then',
    details=(("user", "admin"), ("password", "ipc@dm1n2019")),
)
MQTT_ANONYMOUS = Feature(
    "mqtt-anonymous",
    edits=(Edit("etc/mosquitto/mosquitto.conf", template="mosquitto-anonymous.conf"),),
    match="allow_anonymous true",
    details=(("port", 1883),),
)
INSECURE_UPDATE = Feature(
    "insecure-update",
    edits=(Edit("usr/sbin/fw-update", template="fw-update-http.sh", mode=0o755),),
    match='wget -q -O /tmp/firmware.bin "$SERVER/$LATEST/firmware.bin"',
    details=(
        ("url", "http://update.@@VENDOR_DOMAIN@@/firmware/@@MODEL_SLUG@@"),
        ("transport", "http"),
        ("signature_check", False),
    ),
)
CURL_INSECURE = Feature(
    "tls-verification-disabled",
    variables=(("CURL_TLS", "-k"),),
    path="usr/bin/hub-sync",
    match="curl -k",
    details=(("command", "curl -k"),),
)
SNMP_PUBLIC = Feature(
    "snmp-default-community",
    edits=(
        Edit("etc/snmp/snmpd.conf", template="snmpd.conf"),
        Edit("etc/init.d/snmpd", template="snmpd.init", mode=0o755),
        Edit("etc/rc.d/S50snmpd", link="../init.d/snmpd"),
    ),
    packages=("snmpd",),
    match="rocommunity public default",
    details=(("community", "public"),),
)
WEB_ADMIN_APR1 = Feature(
    "weak-password",
    logins=(Login("etc/lighttpd/.htpasswd", "admin", Hashed("apr1", "admin", SDK_APR1_SALT)),),
    path="etc/lighttpd/.htpasswd",
    match="admin:$apr1$",
    details=(("user", "admin"), ("scheme", "apr1"), ("password", "admin")),
)
# The camera's web server left running as root: `server.username` commented out during bring-up. lighttpd
# keeps root when the setting is absent, and so do the shell CGIs it starts. The record has no line: the
# weakness is a setting that is not there.
CAMERA_WEB_ROOT = Feature(
    "web-server-root",
    edits=(Edit("etc/lighttpd/lighttpd.conf", template="lighttpd-camera-root.conf"),),
    details=(("server", "lighttpd"),),
)
# curl set-user-ID root (a vendor's updater "needed" it to write /etc): anyone who may run it reads and
# writes any file as root (file:///etc/shadow, -o /etc/passwd). Debian's BusyBox cannot serve here: it is
# built with CONFIG_FEATURE_SUID, so a set-ID copy drops root for its shell (the trap below).
SETUID_CURL = Feature(
    "setuid-escalation",
    programs=(Program("usr/bin/curl", mode=0o4755),),
    details=(("program", "curl"), ("setuid", True)),
)
# An SDK's staging folder left in dnsmasq's DT_RPATH: a library dropped into /tmp runs inside the DNS
# and DHCP server, as root.
DNSMASQ_TMP_RPATH = Feature(
    "writable-search-path",
    programs=(Program("usr/sbin/dnsmasq", search_path="/tmp/sdk/staging/usr/lib", tag="RPATH"),),
    details=(("tag", "RPATH"), ("entry", "/tmp/sdk/staging/usr/lib")),
)
HUB_WEB_BCRYPT = Feature(
    "weak-password",
    logins=(Login("etc/hub/webui.users", "admin", Hashed("bcrypt", "password", SDK_BCRYPT_SALT)),),
    path="etc/hub/webui.users",
    match="admin:$2b$",
    details=(("user", "admin"), ("scheme", "bcrypt"), ("password", "password")),
)

# ---- traps ----------------------------------------------------------------------------------------------

TELNET_COMMENTED = Feature(
    "telnet-commented",
    edits=(Edit("etc/init.d/rcS", template="factory-debug-commented.sh", append=True),),
    match="#telnetd -l /bin/sh",
)
SNMP_UCI_DISABLED = Feature(
    "disabled-service",
    edits=(Edit("etc/config/snmpd", template="uci-snmpd-disabled"),),
    match="option enabled '0'",
    details=(("service", "snmpd"), ("community", "public")),
)
DROPBEAR_KEYS_ONLY = Feature(
    "ssh-password-login-disabled",
    variables=(("DROPBEAR_ARGS", "-s -g"),),
    path="etc/init.d/S40dropbear",
    match='DROPBEAR_ARGS="-s -g"',
    details=(("flags", "-s -g"),),
)
EMPTY_HOST_KEY = Feature(
    "empty-host-key",
    edits=(Edit("etc/dropbear/dropbear_ecdsa_host_key", text="", mode=0o600),),
)
PEM_MARKERS_IN_LIBRARY = Feature(
    "pem-marker-in-binary",
    packages=("libssl3",),
    path="usr/lib/libcrypto.so.3",
)
DOC_TEST_KEY = Feature(
    "documentation-key",
    edits=(Edit("usr/share/doc/lighttpd/examples/test-server.key", key=Key("doc-test-ec", "ec", "sec1-pem")),),
    match="-----BEGIN EC PRIVATE KEY-----",
)
STRONG_ADMIN = Feature(
    "strong-password",
    accounts=(Account("admin", 1000, 100, Unique("yescrypt"), "admin", "/home/admin", "/bin/sh"),),
    path="etc/shadow",
    match="admin:$y$",
    details=(("user", "admin"), ("scheme", "yescrypt")),
)
SIGNED_UPDATE = Feature(
    "signed-update",
    edits=(
        Edit("usr/sbin/fw-update", template="fw-update-signed.sh", mode=0o755),
        Edit("etc/keys/fw-signing.pub", key=FIRMWARE_SIGNING_KEY),
    ),
    packages=("openssl", "libssl3", "curl", "libcurl4", "zlib1g"),
    match="if ! openssl pkeyutl -verify",
    details=(
        ("url", "https://update.@@VENDOR_DOMAIN@@/firmware/@@MODEL_SLUG@@"),
        ("transport", "https"),
        ("signature_check", True),
    ),
)
UPDATE_PUBLIC_KEY = Feature(
    "public-key",
    path="etc/keys/fw-signing.pub",
    match="-----BEGIN PUBLIC KEY-----",
)
# Hardened web interfaces: HTTPS only, TLS 1.2 and later.
CAMERA_HTTPS_ONLY = Feature(
    "https-only-web",
    edits=(Edit("etc/lighttpd/lighttpd.conf", template="lighttpd-https-camera.conf"),),
    match='ssl.engine = "enable"',
    details=(("port", 443),),
)
HUB_HTTPS_ONLY = Feature(
    "https-only-web",
    edits=(Edit("etc/lighttpd/lighttpd.conf", template="lighttpd-https-hub.conf"),),
    match='ssl.engine = "enable"',
    details=(("port", 8443),),
)
# The device profiles' own factory-reset scripts (skel), recorded where a recipe lists them: `complete`
# when the reset erases the whole user-data store, not just selected files.
ROUTER_FIRSTBOOT = Feature(
    "factory-reset",
    path="sbin/firstboot",
    match="mtd -r erase rootfs_data",
    details=(("complete", True), ("erases", "rootfs_data")),
)
HUB_FACTORY_RESET = Feature(
    "factory-reset",
    path="usr/sbin/factory-reset",
    match="rm -rf /data/*",
    details=(("complete", True), ("erases", "/data/*")),
)
CAMERA_PARTIAL_RESET = Feature(
    "factory-reset",
    path="usr/sbin/factory-reset.sh",
    match="rm -f /etc/ipcam/wifi.conf",
    details=(("complete", False),),
)
PLUG_PARTIAL_RESET = Feature(
    "factory-reset",
    path="usr/sbin/factory-reset",
    match="rm -f /etc/plug/wifi.conf /etc/plug/device_id",
    details=(("complete", False),),
)


# BusyBox set-user-ID root so that `su`, `passwd` and `ping` work for ordinary users: Debian's build has
# CONFIG_FEATURE_SUID, so every applet that does not need root (`sh` among them) gives it up at start.
SETUID_BUSYBOX_DROPS = Feature(
    "setuid-drops-privileges",
    programs=(Program("bin/busybox", mode=0o4755),),
    details=(("program", "busybox"), ("setuid", True)),
)
# A RUNPATH relative to the program's own folder: as read-only as the program itself.
LIGHTTPD_ORIGIN_RUNPATH = Feature(
    "origin-search-path",
    programs=(Program("usr/sbin/lighttpd", search_path="$ORIGIN/../lib/lighttpd"),),
    details=(("tag", "RUNPATH"), ("entry", "$ORIGIN/../lib/lighttpd")),
)


def locked_root(marker: str) -> Feature:
    """Root with no password login at all (`!` or `*`), as hardened images ship it."""
    return Feature(
        "locked-account",
        accounts=(Account("root", 0, 0, Locked(marker), "root", "/root", "/bin/sh"),),
        path="etc/shadow",
        match=f"root:{marker}:",
        details=(("user", "root"), ("marker", marker)),
    )


# ---- neutral parts of device profiles --------------------------------------------------------------------

LOGIN_HASHED = Feature("web-login", edits=(Edit("www/cgi-bin/login.cgi", template="login-hashed.cgi", mode=0o755),))
WEB_ADMIN_UNIQUE = Feature("web-users", logins=(Login("etc/lighttpd/.htpasswd", "admin", Unique("apr1")),))
CLOUD_TOKEN_AGENT = Feature(
    "cloud-agent", edits=(Edit("usr/bin/cloud-agent", template="cloud-agent-token.sh", mode=0o755),)
)
