// Preloaded into the wsruntimed child (node --import) so the bench can ask
// the real daemon, unchanged, for its memory over the IPC channel. Plain
// JavaScript: the child runs compiled code without a TypeScript loader.

process.on('message', (message) => {
  if (message !== 'wsruntime-bench:sample') return;
  // Live heap, not garbage waiting for a collection (the child runs with --expose-gc).
  globalThis.gc?.();
  const memory = process.memoryUsage();
  process.send?.({
    type: 'wsruntime-bench:sample',
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  });
});
// The channel must not keep a daemon alive that wants to exit.
process.channel?.unref();
