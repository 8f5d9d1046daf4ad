import type { Crypto } from '@botloom/core';
import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * The access token set from the panel (Instagram tokens are refreshed every 60 days), stored
 * encrypted; it wins over INSTAGRAM_ACCESS_TOKEN from the environment.
 */
export class CredentialStore {
  private cached: { value: string | undefined; at: number } | undefined;

  constructor(
    private readonly db: Sequelize,
    private readonly crypto: Crypto,
    private readonly fromConfig: () => string | undefined,
  ) {}

  async accessToken(): Promise<string | undefined> {
    if (!this.cached || Date.now() - this.cached.at > 30_000) {
      const rows = await this.db.query<{ value_encrypted: string }>(
        `SELECT value_encrypted FROM instagram_credentials WHERE name = 'access_token'`,
        { type: QueryTypes.SELECT },
      );
      this.cached = {
        value: rows[0] ? this.crypto.decrypt(rows[0].value_encrypted) : undefined,
        at: Date.now(),
      };
    }
    return this.cached.value ?? this.fromConfig();
  }

  async setAccessToken(token: string | null, by: string): Promise<void> {
    if (token === null) await this.db.query(`DELETE FROM instagram_credentials WHERE name = 'access_token'`);
    else {
      await this.db.query(
        `INSERT INTO instagram_credentials (name, value_encrypted, updated_by) VALUES ('access_token', $1, $2)
         ON CONFLICT (name) DO UPDATE SET value_encrypted = EXCLUDED.value_encrypted, updated_by = EXCLUDED.updated_by, updated_at = now()`,
        { bind: [this.crypto.encrypt(token), by] },
      );
    }
    this.cached = undefined;
  }

  async status(): Promise<{ source: 'panel' | 'environment' | 'none'; updatedAt?: Date }> {
    const rows = await this.db.query<{ updated_at: Date }>(
      `SELECT updated_at FROM instagram_credentials WHERE name = 'access_token'`,
      { type: QueryTypes.SELECT },
    );
    if (rows[0]) return { source: 'panel', updatedAt: rows[0].updated_at };
    return { source: this.fromConfig() ? 'environment' : 'none' };
  }
}
