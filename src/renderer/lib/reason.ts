/** True when a domains:changed reason ("pause web01", "attach disk web01") names domain `name`. */
export function reasonNames(reason: string, name: string): boolean {
  return reason === name || reason.endsWith(` ${name}`) || reason.includes(` ${name} `);
}
