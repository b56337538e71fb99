import type { Page } from 'playwright-core';

/** The text of the page's xterm buffer (scrollback included), read through the console test hook. */
export async function termText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const t = window.__xenithTestHooks?.console?.term;
    if (!t) return '';
    const b = t.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n');
  });
}

/** Polls the terminal until `re` matches its text; rejects with what it shows after `timeoutMs`. */
export async function waitForTermText(page: Page, re: RegExp, timeoutMs = 20_000): Promise<string> {
  const t0 = Date.now();
  let text = '';
  while (Date.now() - t0 < timeoutMs) {
    text = await termText(page);
    if (re.test(text)) return text;
    await page.waitForTimeout(150);
  }
  throw new Error(`terminal never showed ${re}; it shows:\n${text.slice(-2000)}`);
}
