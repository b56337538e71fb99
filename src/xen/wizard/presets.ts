import type { OsPreset } from '../../shared/contract-types';

/**
 * Sensible starting points per OS, from each distribution's stated minimums with room for an installer: memory, a
 * disk, vCPUs, and viridian (Hyper-V enlightenments) for Windows, which runs much better with them.
 */
export const OS_PRESETS: readonly OsPreset[] = [
  { id: 'debian', label: 'Debian', memoryMiB: 1024, diskGiB: 20, vcpus: 2, viridian: false },
  { id: 'ubuntu', label: 'Ubuntu', memoryMiB: 2048, diskGiB: 25, vcpus: 2, viridian: false },
  { id: 'fedora', label: 'Fedora', memoryMiB: 2048, diskGiB: 20, vcpus: 2, viridian: false },
  { id: 'alpine', label: 'Alpine Linux', memoryMiB: 512, diskGiB: 4, vcpus: 1, viridian: false },
  { id: 'windows', label: 'Windows', memoryMiB: 4096, diskGiB: 64, vcpus: 2, viridian: true },
  { id: 'other', label: 'Other', memoryMiB: 1024, diskGiB: 10, vcpus: 1, viridian: false },
];

/** The preset with id `id` (the plan schema allows only known ids). */
export function presetOf(id: OsPreset['id']): OsPreset {
  return OS_PRESETS.find((p) => p.id === id) ?? (OS_PRESETS[OS_PRESETS.length - 1] as OsPreset);
}
