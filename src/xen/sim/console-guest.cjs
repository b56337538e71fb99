'use strict';
// The demo host's guest console: run by `xl console` in the simulator on a real pty (plain JS so a bare
// `node` child can run it; vitest runs TS in-process, but child processes under node 20 cannot).
// argv[2] is a JSON object: {name, domid, type, memMiB, vcpus, fresh, speed, heartbeatS, kernel, fail}.
// It prints a Linux-like boot log (only to the first client after boot, as xenconsoled does), a login
// prompt, and a tiny shell. Ctrl-] (0x1d) detaches with exit 0, like xl console.

const o = JSON.parse(process.argv[2] || '{}');
// Plain \n: libuv's raw mode keeps the pty's ONLCR, so the terminal side sees \r\n as from a real guest console.
const out = (s) => process.stdout.write(s);

if (o.fail) {
  process.stderr.write(`${o.fail}\n`);
  process.exit(1);
}

if (process.stdin.isTTY) process.stdin.setRawMode(true);
process.stdin.resume();

const speed = o.speed > 0 ? o.speed : 1;
const started = Date.now();
const uptime = () => (o.uptimeS || 0) + (Date.now() - started) / 1000;
const stamp = (t) => `[${t.toFixed(6).padStart(12)}] `;
const release = '6.1.0-50-amd64';
const version = '#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)';
const kind = o.type === 'hvm' ? 'Xen HVM' : o.type === 'pvh' ? 'Xen PVH' : 'Xen';
const mem = o.memMiB || 512;

const boot = [
  `Linux version ${release} (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) ${version}`,
  `Command line: ${o.cmdline || 'root=/dev/xvda ro console=hvc0 quiet'}`,
  o.type === 'pv' ? 'Booting paravirtualized kernel on Xen' : `Hypervisor detected: Xen HVM`,
  `Xen version: 4.17.5${o.type === 'pv' ? ' (preserve-AD)' : ''}`,
  `Memory: ${Math.floor(mem * 1024 * 0.93)}K/${mem * 1024}K available`,
  `smpboot: Allowing ${o.vcpus || 1} CPUs, 0 hotplug CPUs`,
  `Booting kernel on ${kind}`,
  'clocksource: xen: mask: 0xffffffffffffffff max_cycles: 0x1cd42e4dffb, max_idle_ns: 881590591483 ns',
  'xen:events: Using FIFO-based ABI',
  'blkfront: xvda: flush diskcache: enabled; persistent grants: enabled; indirect descriptors: enabled; bounce buffer: enabled',
  ' xvda: xvda1',
  'xen_netfront: Initialising Xen virtual ethernet driver',
  'EXT4-fs (xvda1): mounted filesystem with ordered data mode. Quota mode: none.',
  'systemd[1]: systemd 252.39-1~deb12u1 running in system mode',
  `systemd[1]: Hostname set to <${o.name}>.`,
  'systemd[1]: Reached target basic.target - Basic System.',
  'Started ssh.service - OpenBSD Secure Shell server.',
  'Reached target multi-user.target - Multi-User System.',
];

let state = 'booting';
let line = '';
let user = '';
let beat = 0;

const prompt = () => out(state === 'shell' ? `root@${o.name}:~# ` : `${o.name} login: `);

function afterBoot() {
  state = 'login';
  out(`\nDebian GNU/Linux 12 ${o.name} hvc0\n\n`);
  prompt();
}

if (o.fresh) {
  let i = 0;
  const step = () => {
    if (i < boot.length) {
      out(`${stamp(0.2 + i * 0.37)}${boot[i]}\n`);
      i++;
      setTimeout(step, 40 / speed);
    } else afterBoot();
  };
  step();
} else {
  afterBoot();
}

const beatMs = ((o.heartbeatS || 30) * 1000) / speed;
setInterval(() => {
  beat++;
  out(`\ndomU heartbeat ${beat} uptime=${uptime().toFixed(2)}\n`);
  if (state !== 'booting') {
    prompt();
    out(line);
  }
}, beatMs);

function run(cmd) {
  const [c, ...rest] = cmd.trim().split(/\s+/);
  switch (c) {
    case undefined:
    case '':
      return;
    case 'uname':
      out(rest.includes('-a') ? `Linux ${o.name} ${release} ${version} x86_64 GNU/Linux\n` : 'Linux\n');
      return;
    case 'hostname':
      out(`${o.name}\n`);
      return;
    case 'echo':
      out(`${rest.join(' ')}\n`);
      return;
    case 'ls':
      out('bin   dev  home  lib64	media  opt   root  sbin  sys  usr\nboot  etc  lib   lost+found  mnt    proc  run   srv   tmp  var\n');
      return;
    case 'cat':
      if (rest[0] === '/proc/meminfo') {
        const kb = mem * 1024;
        out(`MemTotal:       ${String(Math.floor(kb * 0.93)).padStart(8)} kB\nMemFree:        ${String(Math.floor(kb * 0.6)).padStart(8)} kB\nMemAvailable:   ${String(Math.floor(kb * 0.75)).padStart(8)} kB\n`);
      } else if (rest[0] === '/proc/uptime') out(`${uptime().toFixed(2)} ${(uptime() * 0.9).toFixed(2)}\n`);
      else out(`cat: ${rest[0] || ''}: No such file or directory\n`);
      return;
    case 'seq': {
      // seq [FIRST] LAST, as coreutils: a way to make the console flood (Ctrl-C stops it).
      const nums = rest.map(Number);
      const [first, last] = nums.length >= 2 ? nums : [1, nums[0]];
      if (!Number.isInteger(first) || !Number.isInteger(last) || last - first > 10_000_000) {
        out(`seq: invalid argument\n`);
        return;
      }
      running = { next: first, last };
      setImmediate(pump);
      return 'running';
    }
    case 'exit':
    case 'logout':
      state = 'login';
      out('\n');
      return;
    default:
      out(`-bash: ${c}: command not found\n`);
  }
}

function enter() {
  out('\n');
  const text = line;
  line = '';
  if (state === 'login') {
    if (text.trim() === '') return prompt();
    user = text.trim();
    if (user === 'root') {
      state = 'shell';
      out(`Linux ${o.name} ${release} ${version} x86_64\n\nThe programs included with the Debian GNU/Linux system are free software.\n\n`);
    } else {
      out('Password: \nLogin incorrect\n');
    }
    return prompt();
  }
  if (run(text) !== 'running') prompt();
}

/** A command still printing (seq): it prints in pieces between reads of the keyboard, so Ctrl-C can stop it. */
let running = null;
function pump() {
  if (!running) return;
  let chunk = '';
  while (running.next <= running.last && chunk.length < 16384) chunk += `${running.next++}\n`;
  if (chunk) out(chunk);
  if (running.next > running.last) {
    running = null;
    prompt();
  } else setImmediate(pump);
}

let esc = 0;
process.stdin.on('data', (buf) => {
  for (const b of buf) {
    if (b === 0x1d) {
      // Ctrl-]: xl console detaches and exits 0.
      process.exit(0);
    }
    // Swallow terminal escape sequences (arrows, cursor reports) instead of typing their letters.
    if (b === 0x1b) {
      esc = 1;
      continue;
    }
    if (esc === 1) {
      esc = b === 0x5b || b === 0x4f ? 2 : 0;
      continue;
    }
    if (esc === 2) {
      if (b >= 0x40 && b <= 0x7e) esc = 0;
      continue;
    }
    if (state === 'booting') continue;
    if (running) {
      // A program is printing: the shell reads no line; Ctrl-C stops the program.
      if (b === 0x03) {
        running = null;
        out('^C\n');
        prompt();
      }
      continue;
    }
    if (b === 0x0d || b === 0x0a) enter();
    else if (b === 0x7f || b === 0x08) {
      if (line.length > 0) {
        line = line.slice(0, -1);
        out('\b \b');
      }
    } else if (b === 0x03) {
      line = '';
      out('^C\n');
      prompt();
    } else if (b === 0x04 && line === '' && state === 'shell') {
      state = 'login';
      out('logout\n');
      prompt();
    } else if (b >= 0x20 && b < 0x7f) {
      line += String.fromCharCode(b);
      out(String.fromCharCode(b));
    }
  }
});
process.on('SIGHUP', () => process.exit(0));
