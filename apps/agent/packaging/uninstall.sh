#!/bin/sh
# Removes the FleetMedic agent that its package installed: sudo /usr/local/fleetmedic/uninstall.sh
# Stops the LaunchDaemon, then deletes the agent (bundle, launcher, its node, this script), the
# plist, the log rotation, the logs and the state folder (credentials, outbox, enrollment secret),
# and forgets the package receipt. The server keeps the device, offline; unscope the Full Disk
# Access profile in your MDM. Optional argument: the root of the system to act on (default /; the
# tests give a fake root).
set -eu
target=${1:-/}
root=${target%/}
label=com.fleetmedic.agent
if [ "$(id -u)" != 0 ]; then
  echo "fleetmedic uninstall: run it as root: sudo $0" >&2
  exit 1
fi

if launchctl print "system/$label" > /dev/null 2>&1; then
  launchctl bootout "system/$label"
  echo "fleetmedic uninstall: stopped $label"
fi
rm -f "$root/Library/LaunchDaemons/$label.plist" "$root/private/etc/newsyslog.d/fleetmedic-agent.conf"
rm -f "$root/Library/Logs/fleetmedic-agent.log" "$root/Library/Logs/fleetmedic-agent.log".[0-9]*
# sh reads this script through the file it opened: deleting the file does not cut it short.
rm -rf "$root/usr/local/fleetmedic" "$root/Library/Application Support/FleetMedic"
if pkgutil --volume "$target" --pkg-info "$label" > /dev/null 2>&1; then
  pkgutil --volume "$target" --forget "$label"
fi
echo "fleetmedic uninstall: removed the agent from $target"
