import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { App } from '@botloom/core';

export const SANDBOX_PANEL_USER = 'sandbox-admin';

/**
 * In sandbox mode a newcomer signs in to the admin panel as `sandbox-admin` with a password
 * generated once per data directory (file mode 0600) and set again on every start; never when
 * a real bot token is configured.
 */
export async function ensureSandboxPanelUser(app: App): Promise<string | undefined> {
  if (!app.sandbox || !app.database) return undefined;
  // Core's runtime internals (with the CLI program) load here, after the app is ready.
  const { AdminUserService, generatePassword } = await import('@botloom/core/runtime');
  const file = path.join(app.dataDir, 'sandbox-admin-password');
  let password = await readFile(file, 'utf8')
    .then((text) => text.trim())
    .catch(() => '');
  if (!password) {
    password = generatePassword();
    await writeFile(file, `${password}\n`, { mode: 0o600 });
  }
  await new AdminUserService(app.database.sequelize).upsertWithPassword(
    SANDBOX_PANEL_USER,
    password,
    'admin',
  );
  return password;
}
