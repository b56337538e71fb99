# Shared facts of the test-host recipe (sourced by build-image.sh and boot.sh). Changing any recipe file
# changes the cache key, so a stale image is never reused.
# shellcheck shell=bash
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
INCLUDE=systemd-sysv,udev,kmod,procps,iproute2,bridge-utils,busybox,openssh-server,linux-image-amd64,xen-hypervisor-4.17-amd64,xen-utils-4.17,xen-utils-common,ifupdown,isc-dhcp-client,util-linux,e2fsprogs,cpio,gzip
# Installed in a chroot afterwards: the device model that HVM guests need, and what storage and network pools use
# (LVM on the spare disk, qemu-img for qcow2 volumes, an NFS export served by dom0 itself, dnsmasq and nftables).
CHROOT_EXTRA="qemu-system-xen lvm2 qemu-utils nfs-kernel-server nfs-common dnsmasq-base nftables"
DISK_SIZE=3G

# recipe_hash DIR: first 16 hex of the sha256 over the recipe files, the cache directory's name.
recipe_hash() {
  local d="$1"
  cat "$d/recipe.sh" "$d/build-image.sh" "$d/guest-init.sh" | sha256sum | cut -c1-16
}
