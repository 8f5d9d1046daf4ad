import type pg from 'pg';

/**
 * The close of a pg pool that resolves once its connections are gone. pg-pool's `end()` resolves
 * as soon as it has asked each idle client to end, before their sockets close; a PostgreSQL
 * server stopped right after (embedded PostgreSQL at the end of a shutdown) then terminates
 * those connections itself, and the pool reports "terminating connection due to administrator
 * command" as an idle client's error. Call it right after creating the pool: it tracks every
 * client the pool connects.
 */
export function poolCloser(pool: pg.Pool): () => Promise<void> {
  const open = new Set<Promise<void>>();
  pool.on('connect', (client) => {
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    open.add(ended);
    void ended.then(() => open.delete(ended));
  });
  return async () => {
    await pool.end();
    await Promise.all(open);
  };
}
