#!/bin/sh
# /init of the busybox test guest (PV/PVH) that the host suite creates in the dom0 image.
# Tests look for the banner and heartbeat lines on the PV console (hvc0), so keep their text stable.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Frontend drivers (and their dependencies) in load order, written by build-image.sh.
while read -r ko; do
  [ -n "$ko" ] && insmod "/lib/modules/$ko" 2>/dev/null
done < /etc/modules.order
hostname xenith-guest
echo "XENITH-TEST-GUEST up"
ip link set lo up
ip link set eth0 up 2>/dev/null && echo "eth0 up" || echo "eth0 missing"
# blkfront adds the disk once the backend connects, after insmod returns: wait a little for it.
i=0
while [ ! -b /dev/xvda ] && [ -e /sys/bus/xen/devices/vbd-51712 ] && [ $i -lt 30 ]; do sleep 0.5; i=$((i + 1)); done
[ -b /dev/xvda ] && echo "xvda present, $(cat /sys/block/xvda/size) sectors" || echo "xvda missing"
(
  n=0
  while :; do
    n=$((n + 1))
    echo "heartbeat $n"
    sleep 5
  done
) &
# A shell on the PV console, restarted whenever it exits; cttyhack gives it a controlling tty.
while :; do
  setsid cttyhack sh -l </dev/hvc0 >/dev/hvc0 2>&1
  sleep 1
done
