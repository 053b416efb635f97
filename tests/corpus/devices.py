"""Device personalities: the skeleton templates (skel/base plus skel/<profile>), the Debian packages
whose binaries they carry, their accounts, init links and directories."""

from __future__ import annotations

import dataclasses

from tests.corpus.features import (
    CLOUD_TOKEN_AGENT,
    DAEMON,
    LOGIN_HASHED,
    NOBODY,
    ROOT,
    WEB_ADMIN_UNIQUE,
    WWW_DATA,
)
from tests.corpus.model import Account, Device, Locked

# OpenWrt-style router: uci configuration, /etc/rc.d start (S) and stop (K) links.
ROUTER = Device(
    profile="router",
    vendor="Lumora Networks",
    model="LR-1200",
    version="2.1.7",
    hostname="LumoraRouter",
    packages=(
        "busybox-static",
        "libc6",
        "libcrypt1",
        "zlib1g",
        "libtomcrypt1",
        "libtommath1",
        "dropbear-bin",
        "dnsmasq-base",
        "lighttpd",
    ),
    accounts=(
        ROOT,
        DAEMON,
        Account("network", 101, 101, Locked("*"), "network", "/var", "/bin/false"),
        Account("dnsmasq", 453, 453, Locked("*"), "dnsmasq", "/var", "/bin/false"),
        NOBODY,
    ),
    links=(
        ("etc/rc.d/S10boot", "../init.d/boot"),
        ("etc/rc.d/S19dnsmasq", "../init.d/dnsmasq"),
        ("etc/rc.d/S20network", "../init.d/network"),
        ("etc/rc.d/S50cron", "../init.d/cron"),
        ("etc/rc.d/S50dropbear", "../init.d/dropbear"),
        ("etc/rc.d/S60lighttpd", "../init.d/lighttpd"),
        ("etc/rc.d/S98sysntpd", "../init.d/sysntpd"),
        ("etc/rc.d/K10dnsmasq", "../init.d/dnsmasq"),
        ("etc/rc.d/K40lighttpd", "../init.d/lighttpd"),
        ("etc/rc.d/K50dropbear", "../init.d/dropbear"),
        ("etc/rc.d/K90network", "../init.d/network"),
        ("etc/resolv.conf", "/tmp/resolv.conf"),
        ("etc/mtab", "/proc/mounts"),
    ),
    dirs=("overlay", "rom", "etc/dropbear", "usr/share/udhcpc", "var/run"),
)

# Buildroot-style IP camera: monolithic S?? scripts, lighttpd web UI with shell CGI, set-up AP.
CAMERA = Device(
    profile="camera",
    vendor="Vistacam",
    model="VC-200 HD",
    version="3.4.12",
    hostname="vistacam",
    packages=("busybox-static", "libc6", "dropbear-bin", "dnsmasq-base", "lighttpd"),
    accounts=(ROOT, DAEMON, WWW_DATA, NOBODY),
    links=(("etc/mtab", "/proc/mounts"), ("etc/resolv.conf", "/tmp/resolv.conf")),
    dirs=("etc/dropbear", "mnt/settings", "mnt/sd", "tmp/ipcam", "usr/share/ipcam"),
    variables=(("SENSOR", "imx307"),),
    features=(LOGIN_HASHED, WEB_ADMIN_UNIQUE, CLOUD_TOKEN_AGENT),
)

# The same camera sold under another brand: the white-label case.
CAMERA_WHITE_LABEL = dataclasses.replace(
    CAMERA, vendor="Zetta Home", model="ZH-Cam 2", version="1.0.3", hostname="zettacam"
)

CAMERA_PRO = dataclasses.replace(
    CAMERA, model="VC-400 Pro", version="4.0.2", hostname="vistacam-pro", variables=(("SENSOR", "imx415"),)
)

# Yocto-style smart-home hub: MQTT broker, TLS libraries, a cloud sync agent using curl.
HUB = Device(
    profile="hub",
    vendor="Homevolt",
    model="HV Hub 3",
    version="5.2.0",
    hostname="homevolt-hub",
    packages=(
        "busybox-static",
        "libc6",
        "zlib1g",
        "libssl3",
        "libtomcrypt1",
        "libtommath1",
        "dropbear-bin",
        "mosquitto",
        "lighttpd",
        "curl",
        "libcurl4",
    ),
    accounts=(
        ROOT,
        DAEMON,
        WWW_DATA,
        Account("mosquitto", 102, 102, Locked("*"), "mosquitto", "/var/lib/mosquitto", "/bin/false"),
        NOBODY,
    ),
    links=(("etc/mtab", "/proc/mounts"), ("etc/resolv.conf", "/tmp/resolv.conf")),
    dirs=("data", "etc/dropbear", "var/lib/hub", "var/lib/mosquitto"),
    features=(LOGIN_HASHED,),
)

# Smart plug: BusyBox and shell scripts only.
PLUG = Device(
    profile="plug",
    vendor="Sparkio",
    model="SP-10 Smart Plug",
    version="1.8.2",
    hostname="sparkio-plug",
    packages=("busybox-static",),
    accounts=(ROOT, NOBODY),
    links=(("etc/mtab", "/proc/mounts"),),
    dirs=("etc/plug",),
)

OLD_ROUTER = dataclasses.replace(ROUTER, model="LR-300", version="1.0.4", hostname="LumoraLR300")

# The router's next firmware release: vendor version 2.1.8, rebased on OpenWrt 19.07.10.
ROUTER_NEXT_RELEASE = dataclasses.replace(
    ROUTER, version="2.1.8", variables=(("OPENWRT_RELEASE", "19.07.10"), ("OPENWRT_REVISION", "r11427-9ce6aa9d8d"))
)
