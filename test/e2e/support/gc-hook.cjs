// Loaded into a browser-mode server by the fuzz test (NODE_OPTIONS=--expose-gc --require): on SIGUSR2 it runs a full
// garbage collection and prints the memory figures, so growth is measured on live memory, not on garbage V8 has not
// collected yet.
process.on('SIGUSR2', () => {
  global.gc();
  global.gc();
  const m = process.memoryUsage();
  process.stdout.write(`XENITH-GC ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed })}\n`);
});
