/** Names of XenbusState values (xen/include/public/io/xenbus.h), as the "state" columns of block-list/network-list print them. */
const NAMES = [
  'Unknown',
  'Initialising',
  'InitWait',
  'Initialised',
  'Connected',
  'Closing',
  'Closed',
  'Reconfiguring',
  'Reconfigured',
] as const;

/** The xenbus state's name ("Connected" for 4), or "state N" for a number Xen does not define. */
export function xenbusStateName(state: number): string {
  return NAMES[state] ?? `state ${state}`;
}
