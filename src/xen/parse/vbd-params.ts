/**
 * The medium a block backend holds, from its xenstore `params` key (`/local/domain/0/backend/<kind>/<domid>/<devid>/params`).
 * libxl writes it as `FORMAT:PATH` for the qdisk backend (`aio:/srv/iso/debian.iso` for a raw file, `qcow2:...`), as
 * the plain path for phy, and as "" once `xl cd-eject` (or `xl cd-insert` of nothing) emptied a CD drive: captured
 * on Xen 4.17 in test/fixtures/xenstore-ls-qdisk-cd-*.txt. '' means an empty drive.
 */
export function mediumFromParams(params: string): string {
  const v = params.trim();
  if (v === '' || v.startsWith('/')) return v;
  // libxl__device_disk_string_of_format: aio (raw), qcow, qcow2, vhd, qed; tap/tapdisk for the blktap backends.
  const m = /^(?:aio|raw|qcow2?|vhd|qed|tap2?|tapdisk):(.*)$/.exec(v);
  return m ? (m[1] ?? '') : v;
}
