"""A simulated consumer device for the live-probe tests: real Debian servers (busybox telnetd,
dropbear, mosquitto, lighttpd) and small asyncio responders for what Debian lacks (RTSP, SSDP,
ADB, a UPnP description), started on a loopback address of their own. Two profiles: a weak device
with the usual planted weaknesses, and a hardened one."""
