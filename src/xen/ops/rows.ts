import { parseXlList, type XlListRow } from '../parse/xl-list';
import type { OpsContext } from './context';

/** One line of `xl list`. */
export type ListRow = XlListRow;

/** Runs the cheap `xl list` and returns its rows. */
export async function listRows(ctx: OpsContext): Promise<ListRow[]> {
  return parseXlList(await ctx.out('domains.list', {}));
}

/** The row a domain reference (name, or domid as a string) points at. */
export function findRow(rows: readonly ListRow[], ref: string): ListRow | undefined {
  if (/^\d+$/.test(ref)) return rows.find((r) => r.domid === Number(ref));
  return rows.find((r) => r.name === ref);
}
