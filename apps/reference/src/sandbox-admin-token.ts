import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { App } from '@botloom/core';

/**
 * In sandbox mode with no BOTLOOM_ADMIN_TOKEN, a newcomer still needs a token to try the
 * admin API. One is generated once per data directory (file mode 0600) and reused on every
 * start; it exists only for local sandbox runs, never when a real bot token is configured.
 */
export async function ensureSandboxAdminToken(app: App): Promise<string | undefined> {
  if (!app.sandbox || app.config.BOTLOOM_ADMIN_TOKEN || !app.database) return undefined;
  // Core's runtime internals (with the CLI program) load here, after the app is ready.
  const { AdminTokenService } = await import('@botloom/core/runtime');
  const file = path.join(app.dataDir, 'sandbox-admin-token');
  let token = await readFile(file, 'utf8')
    .then((text) => text.trim())
    .catch(() => '');
  if (!token) {
    token = `blt_sandbox_${randomBytes(24).toString('base64url')}`;
    await writeFile(file, `${token}\n`, { mode: 0o600 });
  }
  const stored = await new AdminTokenService(app.database.sequelize).ensureBootstrapToken(
    token,
    'sandbox admin',
  );
  return stored.revoked ? undefined : token;
}
