import { parseError, quoteLine, splitNameAndColumns, rowsUnderHeader } from './lines';
import { rowFromColumns, type XlListRow } from './xl-list';

/** One row of `xl list -v`: the plain row plus uuid, shutdown reason code and security label. */
export interface XlListVerboseRow extends XlListRow {
  uuid: string;
  /** libxl's shutdown reason number (xl prints it in hex) while the domain is shut down; null otherwise. */
  reasonCode: number | null;
  /** XSM/FLASK label; null when xl prints "-". */
  securityLabel: string | null;
}

const WHAT = 'xl list -v';
const HEADER = ['Name', 'ID', 'Mem', 'VCPUs', 'State', 'Time(s)', 'UUID', 'Reason-Code', 'Security', 'Label'] as const;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Parses `xl list -v`; columns are read from the right so a name with spaces survives. */
export function parseXlListVerbose(text: string): XlListVerboseRow[] {
  return rowsUnderHeader(WHAT, text, HEADER).map(({ n, text: line }) => {
    const split = splitNameAndColumns(line, 8);
    if (split === null || split.name === '') throw parseError(WHAT, n, `expected 9 columns, got ${quoteLine(line)}`);
    const [uuid = '', reason = '', label = ''] = split.columns.slice(5);
    if (!UUID_RE.test(uuid)) throw parseError(WHAT, n, `UUID is not a uuid: ${quoteLine(uuid)}`);
    if (reason !== '-' && !/^[0-9a-f]{1,8}$/.test(reason)) {
      throw parseError(WHAT, n, `Reason-Code is not "-" or hex: ${quoteLine(reason)}`);
    }
    return {
      ...rowFromColumns(WHAT, n, split.name, split.columns.slice(0, 5)),
      uuid,
      reasonCode: reason === '-' ? null : parseInt(reason, 16),
      securityLabel: label === '-' ? null : label,
    };
  });
}
