// Preloaded into each benchmarked process (`node --import`): counts PostgreSQL round trips
// (every pg Client#query: sequelize, pg-boss, the inbox and KV all go through it), samples the
// peak RSS, and answers `stats` / `reset` messages from the benchmark over the IPC channel.
import { createRequire } from 'node:module';

// pg as the app resolves it (from its folder): another checkout (--core-at) has its own copy.
const require = createRequire(`${process.cwd()}/package.json`);
const pg = require('pg');
let queries = 0;
// Query counts by their first characters (`--queries` prints them per update).
let shapes = new Map();
const countShapes = process.env.BENCH_QUERY_SHAPES === '1';
// Explicit transactions plus single statements outside one (each its own transaction).
let transactions = 0;
const inTransaction = new WeakSet();
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(...args) {
  queries++;
  const text = typeof args[0] === 'string' ? args[0] : String(args[0]?.text ?? '');
  if (countShapes) {
    const shape = text.replace(/\s+/g, ' ').trim().slice(0, 70);
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
  }
  const head = text.trimStart().slice(0, 20).toUpperCase();
  if (head.startsWith('BEGIN') || head.startsWith('START TRANSACTION')) {
    inTransaction.add(this);
    transactions++;
  } else if (head.startsWith('COMMIT') || head.startsWith('ROLLBACK') || head.startsWith('END')) {
    if (!head.startsWith('ROLLBACK TO')) inTransaction.delete(this);
  } else if (!inTransaction.has(this)) {
    transactions++;
  }
  return query.apply(this, args);
};

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 100);
sampler.unref();

process.on('message', (message) => {
  if (message === 'reset') {
    peakRss = process.memoryUsage.rss();
    shapes = new Map();
  }
  const cpu = process.cpuUsage();
  process.send?.({
    queries,
    transactions,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rss: process.memoryUsage.rss(),
    peakRss: Math.max(peakRss, process.memoryUsage.rss()),
    shapes: [...shapes].sort((a, b) => b[1] - a[1]).slice(0, 15),
  });
});
process.channel?.unref();
