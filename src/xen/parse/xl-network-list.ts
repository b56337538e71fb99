import { parseError, parseIntField, quoteLine, tokenize, rowsUnderHeader } from './lines';
import { isValidMac } from '../../shared/vif-spec';

/** One interface from `xl network-list DOM`. */
export interface XlNetworkRow {
  /** Device id: xl's Idx column (the N of vifD.N, what network-detach takes). */
  devid: number;
  /** Same number under xl's column name; kept because existing callers read it. */
  idx: number;
  backendDomid: number;
  mac: string;
  handle: number;
  /** Xenbus state number: 4 is Connected (see xenbusStateName). */
  state: number;
  /** Event channel; -1 when the frontend has not connected one. */
  evtch: number;
  txRingRef: number;
  rxRingRef: number;
  backendPath: string;
}

const WHAT = 'xl network-list';
const HEADER = ['Idx', 'BE', 'Mac', 'Addr.', 'handle', 'state', 'evt-ch', 'tx-/rx-ring-ref', 'BE-path'] as const;

/** Parses `xl network-list DOM...`; a header alone (no interfaces, as for dom0) gives []. */
export function parseXlNetworkList(text: string): XlNetworkRow[] {
  return rowsUnderHeader(WHAT, text, HEADER).map(({ n, text: line }): XlNetworkRow => {
    const t = tokenize(line).map((x) => x.text);
    if (t.length !== 8) throw parseError(WHAT, n, `expected 8 columns, got ${quoteLine(line)}`);
    const [idx = '', be = '', mac = '', handle = '', state = '', evtch = '', rings = '', path = ''] = t;
    if (!isValidMac(mac)) throw parseError(WHAT, n, `Mac Addr. is not a MAC address: ${quoteLine(mac)}`);
    const slash = rings.indexOf('/');
    if (slash < 0) throw parseError(WHAT, n, `tx-/rx-ring-ref is not "tx/rx": ${quoteLine(rings)}`);
    const devid = parseIntField(WHAT, n, 'Idx', idx);
    // libxl's backend path always ends in the devid; checking it also catches output cut inside the last column.
    if (!path.startsWith('/') || !path.endsWith(`/${devid}`)) {
      throw parseError(WHAT, n, `BE-path does not end with the device id ${devid}: ${quoteLine(path)}`);
    }
    return {
      devid,
      idx: devid,
      backendDomid: parseIntField(WHAT, n, 'BE', be),
      mac: mac.toLowerCase(),
      handle: parseIntField(WHAT, n, 'handle', handle),
      state: parseIntField(WHAT, n, 'state', state),
      evtch: parseIntField(WHAT, n, 'evt-ch', evtch),
      txRingRef: parseIntField(WHAT, n, 'tx-ring-ref', rings.slice(0, slash)),
      rxRingRef: parseIntField(WHAT, n, 'rx-ring-ref', rings.slice(slash + 1)),
      backendPath: path,
    };
  });
}
