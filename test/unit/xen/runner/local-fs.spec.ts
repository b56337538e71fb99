import { readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalFs } from '../../../../src/xen/runner/local-fs';
import { makeTempDir } from './fake-bin';

const fs = createLocalFs();

describe('createLocalFs', () => {
  it('creates a file exclusively and refuses to overwrite it (EXISTS), even through a planted symlink', async () => {
    const d = makeTempDir();
    const p = path.join(d, 'a.cfg');
    await fs.writeFileExclusive(p, 'name="a"\n');
    expect(readFileSync(p, 'utf8')).toBe('name="a"\n');
    await expect(fs.writeFileExclusive(p, 'other')).rejects.toMatchObject({ code: 'EXISTS' });
    expect(readFileSync(p, 'utf8')).toBe('name="a"\n');
    const victim = path.join(d, 'victim');
    writeFileSync(victim, 'keep');
    symlinkSync(victim, path.join(d, 'link.cfg'));
    await expect(fs.writeFileExclusive(path.join(d, 'link.cfg'), 'x')).rejects.toMatchObject({ code: 'EXISTS' });
    expect(readFileSync(victim, 'utf8')).toBe('keep');
  });

  it('replaces a file atomically, keeping its mode and leaving no temp file', async () => {
    const d = makeTempDir();
    const p = path.join(d, 'b.cfg');
    writeFileSync(p, 'old', { mode: 0o600 });
    await fs.replaceFile(p, 'new');
    expect(readFileSync(p, 'utf8')).toBe('new');
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(readdirSync(d)).toEqual(['b.cfg']);
  });

  it('reads, lists sorted, and maps a missing file to NOT_FOUND', async () => {
    const d = makeTempDir();
    writeFileSync(path.join(d, 'z'), 'Z');
    writeFileSync(path.join(d, 'a'), 'A');
    expect(await fs.list(d)).toEqual(['a', 'z']);
    expect(await fs.readFile(path.join(d, 'z'))).toBe('Z');
    await expect(fs.readFile(path.join(d, 'nope'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(fs.remove(path.join(d, 'nope'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('creates a sparse image: full size, almost nothing allocated; refuses an existing one', async () => {
    const d = makeTempDir();
    const p = path.join(d, 'disk.img');
    await fs.createSparse(p, 1024 * 1024 * 1024);
    const st = await fs.stat(p);
    expect(st).toMatchObject({ size: 1024 * 1024 * 1024, isFile: true, isDirectory: false, isSymlink: false });
    expect(st?.allocated).toBeLessThan(1024 * 1024);
    await expect(fs.createSparse(p, 10)).rejects.toMatchObject({ code: 'EXISTS' });
    await expect(fs.createSparse(path.join(d, 'neg.img'), -1)).rejects.toMatchObject({ code: 'INVALID_ARG' });
  });

  it('makes, reads and stats symlinks; readlink of a plain file is null; stat of nothing is null', async () => {
    const d = makeTempDir();
    const target = path.join(d, 't.cfg');
    writeFileSync(target, 'abc');
    const link = path.join(d, 'auto-t.cfg');
    await fs.symlink(target, link);
    expect(await fs.readlink(link)).toBe(target);
    expect(await fs.readlink(target)).toBeNull();
    expect(await fs.stat(link)).toMatchObject({ isSymlink: true, isFile: true, size: 3 });
    expect(await fs.stat(path.join(d, 'none'))).toBeNull();
    await fs.remove(link);
    expect(readdirSync(d)).toEqual(['t.cfg']);
  });

  it('reports free bytes, makes directories, and refuses relative paths', async () => {
    const d = makeTempDir();
    expect(await fs.freeBytes(d)).toBeGreaterThan(0);
    await fs.mkdirp(path.join(d, 'x', 'y'));
    expect(statSync(path.join(d, 'x', 'y')).isDirectory()).toBe(true);
    await expect(fs.readFile('etc/xen/a.cfg')).rejects.toMatchObject({ code: 'INVALID_ARG' });
  });
});
