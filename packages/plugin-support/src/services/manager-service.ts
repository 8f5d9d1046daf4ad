import { QueryTypes, type Sequelize } from 'sequelize';

export interface Manager {
  userId: number;
  name: string;
  addedBy: number | null;
  createdAt: Date;
}

/** Who may act in ticket topics (table support_managers). */
export class ManagerService {
  constructor(private readonly db: Sequelize) {}

  async list(): Promise<Manager[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM support_managers ORDER BY created_at, user_id',
      {
        type: QueryTypes.SELECT,
      },
    );
    return rows.map((r) => ({
      userId: Number(r.user_id),
      name: String(r.name),
      addedBy: r.added_by == null ? null : Number(r.added_by),
      createdAt: new Date(r.created_at as string),
    }));
  }

  async get(userId: number): Promise<Manager | null> {
    return (await this.list()).find((m) => m.userId === userId) ?? null;
  }

  async isManager(userId: number): Promise<boolean> {
    const rows = await this.db.query('SELECT 1 FROM support_managers WHERE user_id = :userId', {
      type: QueryTypes.SELECT,
      replacements: { userId },
    });
    return rows.length > 0;
  }

  /** Adds or renames a manager. Returns true when the manager is new. */
  async add(userId: number, name: string, addedBy: number | null): Promise<boolean> {
    const rows = await this.db.query<{ inserted: boolean }>(
      `INSERT INTO support_managers (user_id, name, added_by) VALUES (:userId, :name, :addedBy)
       ON CONFLICT (user_id) DO UPDATE SET name = EXCLUDED.name
       RETURNING (xmax = 0) AS inserted`,
      { type: QueryTypes.SELECT, replacements: { userId, name: name.slice(0, 100), addedBy } },
    );
    return Boolean(rows[0]?.inserted);
  }

  /** Adds the admin as the first manager unless present (ADMIN_USER_ID bootstrap). */
  async ensure(userId: number, name: string): Promise<void> {
    await this.db.query(
      `INSERT INTO support_managers (user_id, name, added_by) VALUES (:userId, :name, NULL) ON CONFLICT (user_id) DO NOTHING`,
      { replacements: { userId, name } },
    );
  }

  async remove(userId: number): Promise<boolean> {
    const rows = await this.db.query(
      'DELETE FROM support_managers WHERE user_id = :userId RETURNING user_id',
      {
        type: QueryTypes.SELECT,
        replacements: { userId },
      },
    );
    return rows.length > 0;
  }
}
