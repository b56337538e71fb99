import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const text = readFileSync(path.resolve(__dirname, '../../../../assets/org.xenith.broker.policy'), 'utf8');

describe('polkit policy', () => {
  it('declares org.xenith.broker for the installed launcher, admin auth kept for the active session', () => {
    expect(text).toMatch(/<action id="org\.xenith\.broker">/);
    expect(text).toMatch(/<annotate key="org\.freedesktop\.policykit\.exec\.path">\/usr\/lib\/xenith\/xenith-broker<\/annotate>/);
    expect(text).toMatch(/<allow_active>auth_admin_keep<\/allow_active>/);
    expect(text).toMatch(/<allow_any>auth_admin<\/allow_any>/);
    // exec.path must not be a general interpreter, or the kept authorisation would cover any script.
    expect(text).not.toMatch(/exec\.path">\/usr\/bin\/(node|env|sh|bash)</);
  });
});
