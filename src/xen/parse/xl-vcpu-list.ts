import { parseTenthsField, parseError, parseIntField, quoteLine, splitNameAndColumns, rowsUnderHeader } from './lines';

/** One vCPU from `xl vcpu-list`. */
export interface XlVcpuRow {
  name: string;
  domid: number;
  vcpu: number;
  /** Physical CPU it last ran on; null while the vCPU is offline. */
  cpu: number | null;
  /** xl's three letters: r (running) or -, b (blocked) or -, p (offline) or -. */
  stateFlags: string;
  online: boolean;
  running: boolean;
  blocked: boolean;
  timeS: number;
  /** CPU list as xl prints it: "all", or ranges such as "0-1,3". */
  hardAffinity: string;
  softAffinity: string;
}

const WHAT = 'xl vcpu-list';
const HEADER = ['Name', 'ID', 'VCPU', 'CPU', 'State', 'Time(s)', 'Affinity', '(Hard', '/', 'Soft)'] as const;
const AFFINITY_RE = /^(all|none|\d+(-\d+)?(,\d+(-\d+)?)*)$/;

/** Parses `xl vcpu-list [DOM]`; an offline vCPU shows "-" for its CPU and "p" in its state. */
export function parseXlVcpuList(text: string): XlVcpuRow[] {
  return rowsUnderHeader(WHAT, text, HEADER).map(({ n, text: line }) => {
    const split = splitNameAndColumns(line, 8);
    if (split === null || split.name === '' || split.columns[6] !== '/') {
      throw parseError(WHAT, n, `expected "name id vcpu cpu state time hard / soft", got ${quoteLine(line)}`);
    }
    const [id = '', vcpu = '', cpu = '', state = '', time = '', hard = '', , soft = ''] = split.columns;
    if (!/^[r-][b-][p-]$/.test(state)) throw parseError(WHAT, n, `State is not three xl letters: ${quoteLine(state)}`);
    for (const [field, v] of [['hard affinity', hard], ['soft affinity', soft]] as const) {
      if (!AFFINITY_RE.test(v)) throw parseError(WHAT, n, `${field} is not a CPU list: ${quoteLine(v)}`);
    }
    const online = state[2] !== 'p';
    return {
      name: split.name,
      domid: parseIntField(WHAT, n, 'ID', id),
      vcpu: parseIntField(WHAT, n, 'VCPU', vcpu),
      cpu: cpu === '-' ? null : parseIntField(WHAT, n, 'CPU', cpu),
      stateFlags: state,
      online,
      running: state[0] === 'r',
      blocked: state[1] === 'b',
      timeS: parseTenthsField(WHAT, n, 'Time(s)', time),
      hardAffinity: hard,
      softAffinity: soft,
    };
  });
}
