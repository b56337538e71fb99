// Types for what TypeScript specs use of host.mjs (plain JavaScript so scripts/test-xen.mjs runs it without a loader).

/** Sends one HMP command (`stop`, `cont`, ...) on QEMU's monitor socket and resolves to its output. */
export function monitor(sock: string, command: string, timeoutMs?: number): Promise<string>;
