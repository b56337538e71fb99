#!/usr/bin/env bash
# Builds the Xen 4.17 test host (a Debian bookworm dom0 disk image plus the busybox test guest) per
# ../shared/xen/TESTHOST.md, into a cache outside the repo keyed by the hash of the recipe files.
# Prints the cache directory as the last line of stdout. Needs root (debootstrap, chroot, mount of proc).
#
#   test/xenhost/build-image.sh            build or reuse
#   test/xenhost/build-image.sh --print-dir  only print where this recipe's image lives
#   XENITH_TESTHOST_CACHE=/path ...        cache root (default ~/.cache/xenith/testhost)
#   XENITH_TESTHOST_REBUILD=1 ...          ignore an existing image for this recipe
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=recipe.sh
. "$HERE/recipe.sh"

CACHE_ROOT="${XENITH_TESTHOST_CACHE:-$HOME/.cache/xenith/testhost}"
HASH="$(recipe_hash "$HERE")"
OUT="$CACHE_ROOT/$HASH"
# The debootstrapped base depends only on the suite, mirror and package lists, so editing the
# configuration steps below does not cost another 3-minute debootstrap.
BASE_HASH="$(printf '%s\n' "$SUITE" "$MIRROR" "$INCLUDE" "$CHROOT_EXTRA" | sha256sum | cut -c1-16)"
BASE="$CACHE_ROOT/base-$BASE_HASH"

if [[ "${1:-}" == --print-dir ]]; then
  echo "$OUT"
  exit 0
fi

log() { printf '[build-image %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

if [[ -f "$OUT/READY" && "${XENITH_TESTHOST_REBUILD:-0}" != 1 ]]; then
  log "cache hit: $OUT"
  echo "$OUT"
  exit 0
fi

for tool in debootstrap mkfs.ext4 cpio ssh-keygen qemu-img busybox zcat timeout; do
  command -v "$tool" >/dev/null || { log "missing tool: $tool (apt-get install qemu-system-x86 qemu-utils debootstrap e2fsprogs openssh-client cpio busybox-static)"; exit 1; }
done
[[ "$(id -u)" == 0 ]] || { log "must run as root (debootstrap and chroot)"; exit 1; }

mkdir -p "$OUT/logs"
rm -f "$OUT/READY" "$OUT/timings.tsv"
WORK="$OUT/work"
ROOTFS="$WORK/rootfs"
export ROOTFS WORK OUT BASE HERE

# Mounts made inside ROOTFS by chroot steps; always undone, even on failure or timeout.
cleanup_mounts() {
  local m root
  for root in "$ROOTFS" "$BASE.tmp"; do
    for m in dev/pts proc sys; do
      if mountpoint -q "$root/$m" 2>/dev/null; then umount -l "$root/$m" || true; fi
    done
  done
}
trap cleanup_mounts EXIT

# run_step NAME TIMEOUT_S FUNCTION: runs FUNCTION in a fresh strict bash under a timeout, logging to logs/NAME.log.
run_step() {
  local name="$1" limit="$2" fn="$3" logf="$OUT/logs/$1.log" t0 t1 rc=0
  t0=$(date +%s.%N)
  log "step $name (limit ${limit}s) ..."
  timeout --kill-after=10 "$limit" bash -euo pipefail -c "$(declare -f "$fn" cleanup_mounts chroot_mounts); $fn" >"$logf" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  local secs
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  printf '%s\t%s\t%s\n' "$name" "$secs" "$rc" >>"$OUT/timings.tsv"
  if [[ $rc != 0 ]]; then
    cleanup_mounts
    [[ $rc == 124 ]] && log "step $name timed out after ${limit}s"
    log "step $name failed (exit $rc), log at $logf"
    tail -n 15 "$logf" >&2 || true
    exit 1
  fi
  log "step $name done in ${secs}s"
}

chroot_mounts() {
  mountpoint -q "$ROOTFS/proc" || mount -t proc proc "$ROOTFS/proc"
  mountpoint -q "$ROOTFS/sys" || mount -t sysfs sysfs "$ROOTFS/sys"
  mkdir -p "$ROOTFS/dev/pts"
  mountpoint -q "$ROOTFS/dev/pts" || mount -t devpts devpts "$ROOTFS/dev/pts"
}

# --- steps -------------------------------------------------------------------------------------------

step_debootstrap() {
  # A killed earlier attempt may have left proc/sys mounted in there: never rm -rf through a mount.
  cleanup_mounts
  rm -rf "$BASE.tmp"
  debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$BASE.tmp" "$MIRROR"
}

step_chroot_extra() {
  # policy-rc.d 101: packages must not start daemons inside the build chroot.
  printf '#!/bin/sh\nexit 101\n' >"$BASE.tmp/usr/sbin/policy-rc.d"
  chmod 755 "$BASE.tmp/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$BASE.tmp/etc/resolv.conf"
  ROOTFS="$BASE.tmp"
  chroot_mounts
  chroot "$BASE.tmp" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $CHROOT_EXTRA
  chroot "$BASE.tmp" apt-get clean
  cleanup_mounts
  rm -f "$BASE.tmp/usr/sbin/policy-rc.d"
  mv "$BASE.tmp" "$BASE"
}

step_copy_base() {
  rm -rf "$WORK"
  mkdir -p "$WORK"
  cp -a "$BASE" "$ROOTFS"
}

step_configure() {
  local r="$ROOTFS"
  # Root login by key only; the key lives in the cache, never in the repo.
  rm -f "$OUT/id_ed25519" "$OUT/id_ed25519.pub"
  ssh-keygen -q -t ed25519 -N '' -C xenith-testhost -f "$OUT/id_ed25519"
  install -d -m 700 "$r/root/.ssh"
  install -m 600 "$OUT/id_ed25519.pub" "$r/root/.ssh/authorized_keys"
  mkdir -p "$r/etc/ssh/sshd_config.d"
  printf 'PermitRootLogin prohibit-password\nPasswordAuthentication no\nUseDNS no\nMaxSessions 64\nMaxStartups 64:30:128\n' \
    >"$r/etc/ssh/sshd_config.d/xenith.conf"
  # Empty root password only for the serial/hvc0 console (the VM's network is restricted to a loopback hostfwd).
  chroot "$r" passwd -d root

  echo xenith-testhost >"$r/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\txenith-testhost\n' >"$r/etc/hosts"
  printf '/dev/vda\t/\text4\terrors=remount-ro,noatime\t0\t1\n' >"$r/etc/fstab"
  cat >"$r/etc/network/interfaces" <<'EOF'
auto lo
iface lo inet loopback

auto eth0
iface eth0 inet manual

# Guests' vifs join xenbr0 (captures/test1.cfg uses bridge=xenbr0).
auto xenbr0
iface xenbr0 inet dhcp
    bridge_ports eth0
    bridge_stp off
    bridge_fd 0
    bridge_maxwait 0
EOF
  printf '%s\n' xenfs xen-evtchn xen-gntdev xen-gntalloc xen-blkback xen-netback loop bridge >"$r/etc/modules"

  # Small dom0 initramfs: only what finds /dev/vda (37 MB -> 7 MB, boots much faster under TCG).
  mkdir -p "$r/etc/initramfs-tools/conf.d"
  echo 'MODULES=list' >"$r/etc/initramfs-tools/conf.d/xenith.conf"
  printf '%s\n' virtio_pci virtio_blk virtio_net ext4 >"$r/etc/initramfs-tools/modules"
  chroot_mounts
  chroot "$r" update-initramfs -u -k all
  cleanup_mounts

  # Leftovers that would make every booted copy look the same or slow.
  rm -f "$r/etc/resolv.conf"
  : >"$r/etc/machine-id"
  rm -rf "$r/var/cache/apt/archives/"*.deb "$r/var/lib/apt/lists/"*_Packages
}

step_guest() {
  local r="$ROOTFS" kver stage mods dep ko
  kver="$(ls "$r/lib/modules" | sort -V | tail -n1)"
  stage="$WORK/guest-initramfs"
  rm -rf "$stage"
  mkdir -p "$stage"/{bin,sbin,etc,proc,sys,dev,tmp,root,lib/modules}
  cp "$(command -v busybox)" "$stage/bin/busybox"
  for applet in $(busybox --list); do
    [[ "$applet" == busybox ]] || ln -sf busybox "$stage/bin/$applet"
  done
  # The kernel execs /sbin/poweroff and /sbin/reboot on xl shutdown / xl reboot. busybox's plain
  # poweroff signals init, which our shell /init ignores, so force the syscall.
  printf '#!/bin/sh\nsync\nexec /bin/busybox poweroff -f\n' >"$stage/sbin/poweroff"
  printf '#!/bin/sh\nsync\nexec /bin/busybox reboot -f\n' >"$stage/sbin/reboot"
  printf '#!/bin/sh\nsync\nexec /bin/busybox halt -f\n' >"$stage/sbin/halt"
  chmod 755 "$stage/sbin/"*
  install -m 755 "$HERE/guest-init.sh" "$stage/init"

  # Frontend modules with their dependencies (modules.dep lists deps after the module; load them first).
  : >"$stage/etc/modules.order"
  for mod in xen-blkfront xen-netfront; do
    dep="$(grep -E "(^|/)${mod}\.ko(\.xz|\.zst|\.gz)?:" "$r/lib/modules/$kver/modules.dep" || true)"
    if [[ -z "$dep" ]]; then echo "module $mod not found (built in?)"; continue; fi
    mods="$(echo "$dep" | cut -d: -f2) $(echo "$dep" | cut -d: -f1)"
    for ko in $mods; do
      local name src
      src="$r/lib/modules/$kver/$ko"
      name="$(basename "$ko")"
      case "$name" in
        *.xz) xz -dc "$src" >"$stage/lib/modules/${name%.xz}"; name="${name%.xz}" ;;
        *.zst) zstd -dc "$src" >"$stage/lib/modules/${name%.zst}"; name="${name%.zst}" ;;
        *.gz) gzip -dc "$src" >"$stage/lib/modules/${name%.gz}"; name="${name%.gz}" ;;
        *) cp "$src" "$stage/lib/modules/$name" ;;
      esac
      grep -qx "$name" "$stage/etc/modules.order" || echo "$name" >>"$stage/etc/modules.order"
    done
  done
  cat "$stage/etc/modules.order"

  mkdir -p "$r/var/lib/xenith-test"
  (cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet | gzip -9) >"$r/var/lib/xenith-test/initrd.gz"
  cp "$r/boot/vmlinuz-$kver" "$r/var/lib/xenith-test/vmlinuz"
  cp "$r/var/lib/xenith-test/initrd.gz" "$OUT/guest-initrd.gz"
  cp "$r/boot/vmlinuz-$kver" "$OUT/guest-vmlinuz"
  ls -l "$r/var/lib/xenith-test"
}

step_boot_files() {
  local r="$ROOTFS" kver
  kver="$(ls "$r/lib/modules" | sort -V | tail -n1)"
  # QEMU's multiboot loader needs the plain ELF, not the gzipped hypervisor.
  zcat "$r"/boot/xen-4.17*-amd64.gz >"$OUT/xen.tmp"
  mv "$OUT/xen.tmp" "$OUT/xen"
  cp "$r/boot/vmlinuz-$kver" "$OUT/vmlinuz"
  cp "$r/boot/initrd.img-$kver" "$OUT/initrd.img"
  ls -l "$OUT/xen" "$OUT/vmlinuz" "$OUT/initrd.img"
}

step_mkfs() {
  if grep -q " $ROOTFS/" /proc/mounts; then echo "something is still mounted under $ROOTFS"; exit 1; fi
  rm -f "$OUT/disk.img.tmp"
  # -d populates from a directory, so no loop mount (and no root-only mount) is needed.
  mkfs.ext4 -q -F -L xenith-dom0 -d "$ROOTFS" "$OUT/disk.img.tmp" "$DISK_SIZE"
  mv "$OUT/disk.img.tmp" "$OUT/disk.img"
  # Snapshots from an older image are invalid now.
  rm -f "$OUT/ready.qcow2"
  du -h --apparent-size "$OUT/disk.img"; du -h "$OUT/disk.img"
}

step_cleanup() {
  rm -rf "$WORK"
}

export SUITE MIRROR INCLUDE CHROOT_EXTRA DISK_SIZE

T0=$(date +%s)
if [[ -d "$BASE" ]]; then
  log "base rootfs cache hit: $BASE"
  printf 'debootstrap\tcached\t0\n' >>"$OUT/timings.tsv"
else
  run_step debootstrap 1500 step_debootstrap
  run_step chroot-extra 900 step_chroot_extra
fi
run_step copy-base 300 step_copy_base
run_step configure 600 step_configure
run_step guest 300 step_guest
run_step boot-files 120 step_boot_files
run_step mkfs 600 step_mkfs
run_step cleanup 300 step_cleanup
printf 'total\t%s\t0\n' "$(($(date +%s) - T0))" >>"$OUT/timings.tsv"
printf '%s\n' "$HASH" >"$OUT/READY"
log "image ready in $OUT ($(($(date +%s) - T0))s)"
echo "$OUT"
