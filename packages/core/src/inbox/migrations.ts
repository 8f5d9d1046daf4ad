import type { MigrationDefinition } from '../plugin/types.js';

export const UPDATE_INBOX_TABLE = 'core_update_inbox';
export const UPDATE_SENDS_TABLE = 'core_update_sends';
/** Stores updates, leasing some at once (see `UpdateInbox.accept`). */
export const INTAKE_FUNCTION = 'core_update_inbox_intake';
/** Marks updates done with their chat's session writes, then claims into the freed slots (see `UpdateInbox.finish`). */
export const DONE_FUNCTION = 'core_update_inbox_done';
/** First key of the transaction-level advisory locks on a chat key (second: its hashtext). */
export const CHAT_LOCK_CLASS = 41_917;

/**
 * The durable update inbox: every update Telegram delivered, stored before it is acknowledged,
 * until it is handled (then only its metadata stays, until pruned) or dead-lettered.
 */
export const inboxMigrations: MigrationDefinition[] = [
  {
    name: '0500-update-inbox',
    async up({ queryInterface, transaction }) {
      const run = (sql: string) => queryInterface.sequelize.query(sql, { transaction });
      await run(`
        CREATE TABLE ${UPDATE_INBOX_TABLE} (
          update_id bigint PRIMARY KEY,
          -- Updates of one chat key are handled in update_id order: the chat id, or user:<id>
          -- where there is no chat (inline queries); NULL = no order constraint.
          chat_key text,
          user_id bigint,
          update_type text NOT NULL,
          -- The update as JSON, encrypted with core Crypto; NULL once handled.
          payload text,
          status text NOT NULL CHECK (status IN ('pending', 'leased', 'done', 'dead')),
          attempts integer NOT NULL DEFAULT 0,
          available_at timestamptz NOT NULL,
          lease_owner text,
          lease_until timestamptz,
          received_at timestamptz NOT NULL,
          done_at timestamptz,
          dead_at timestamptz,
          last_error text
        )`);
      await run(
        `CREATE INDEX core_update_inbox_open ON ${UPDATE_INBOX_TABLE} (update_id) WHERE status IN ('pending', 'leased')`,
      );
      await run(
        `CREATE INDEX core_update_inbox_open_chat ON ${UPDATE_INBOX_TABLE} (chat_key, update_id) WHERE status IN ('pending', 'leased')`,
      );
      await run(
        `CREATE INDEX core_update_inbox_done ON ${UPDATE_INBOX_TABLE} (done_at) WHERE status = 'done'`,
      );
      await run(
        `CREATE INDEX core_update_inbox_dead ON ${UPDATE_INBOX_TABLE} (update_id) WHERE status = 'dead'`,
      );
    },
    async down({ queryInterface, transaction }) {
      await queryInterface.dropTable(UPDATE_INBOX_TABLE, { transaction });
    },
  },
  {
    // The Bot API calls an update's handling made, so an attempt after a crash skips them.
    name: '0501-update-sends',
    async up({ queryInterface, transaction }) {
      const run = (sql: string) => queryInterface.sequelize.query(sql, { transaction });
      await run(`
        CREATE TABLE ${UPDATE_SENDS_TABLE} (
          update_id bigint NOT NULL,
          seq integer NOT NULL,
          method text NOT NULL,
          chat text NOT NULL,
          -- Telegram's response as JSON, encrypted with core Crypto (it quotes the bot's text).
          response text NOT NULL,
          sent_at timestamptz NOT NULL,
          PRIMARY KEY (update_id, seq)
        )`);
      await run(`CREATE INDEX core_update_sends_sent_at ON ${UPDATE_SENDS_TABLE} (sent_at)`);
    },
    async down({ queryInterface, transaction }) {
      await queryInterface.dropTable(UPDATE_SENDS_TABLE, { transaction });
    },
  },
  {
    // Intake and done in one statement each (issue 19): fewer round trips per update.
    name: '0502-update-inbox-intake',
    async up({ queryInterface, transaction }) {
      const run = (sql: string) => queryInterface.sequelize.query(sql, { transaction });
      // The per-user rate limit decided at intake: 'allow', 'notify' (the first refusal) or
      // 'drop'; NULL = not decided there (the pipeline asks the limiter).
      await run(`ALTER TABLE ${UPDATE_INBOX_TABLE} ADD COLUMN rate_decision text`);
      await run(INTAKE_FUNCTION_SQL);
      await run(DONE_FUNCTION_SQL);
    },
    async down({ queryInterface, transaction }) {
      const run = (sql: string) => queryInterface.sequelize.query(sql, { transaction });
      await run(`DROP FUNCTION IF EXISTS ${INTAKE_FUNCTION}`);
      await run(`DROP FUNCTION IF EXISTS ${DONE_FUNCTION}`);
      await run(`ALTER TABLE ${UPDATE_INBOX_TABLE} DROP COLUMN rate_decision`);
    },
  },
];

/**
 * Stores the updates not seen before and leases at once (to p_owner) up to p_max_leases of
 * them whose chat has no other open update, so the instance that stored them handles them
 * from memory without a claim. Chats are locked first (transaction advisory locks, in sorted
 * order), and a VOLATILE function's statements each see what committed before them: so an
 * intake of the same chat on another instance is either committed and seen here (its update
 * is open: this one stays pending, for the claim) or waits for this one. A concurrent
 * redelivery of an update has its chat, so it waits too and then finds the row.
 *
 * Optional in the same transaction: the per-user rate-limit hit (p_window_prefix: keys in
 * botloom_rate_windows, the same upsert as the KV's hitWindow, keys in sorted order), and the
 * session of each leased update's chat read from botloom_kv (p_session_prefix).
 */
const INTAKE_FUNCTION_SQL = `
CREATE OR REPLACE FUNCTION ${INTAKE_FUNCTION}(
  p_ids bigint[], p_chats text[], p_users bigint[], p_types text[], p_payloads text[],
  p_now timestamptz, p_max_leases integer, p_owner text, p_lease_until timestamptz,
  p_window_prefix text, p_window_now bigint, p_window_ms bigint, p_window_limit integer,
  p_session_prefix text)
RETURNS TABLE (update_id bigint, leased boolean, rate_decision text, retry_after_ms bigint, session text)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  lock_key integer;
  n integer;
  ids bigint[];
  chats text[];
  users bigint[];
  types text[];
  payloads text[];
  lease_flags boolean[];
  decision_list text[];
  wait_list bigint[];
  seen text[] := '{}';
  leases integer := 0;
  i integer;
  hit record;
  stored_ids bigint[];
  stored_chats text[];
  stored_leased boolean[];
BEGIN
  FOR lock_key IN SELECT DISTINCT hashtext(c) FROM unnest(p_chats) AS c WHERE c IS NOT NULL ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(${CHAT_LOCK_CLASS}, lock_key);
  END LOOP;
  SELECT array_agg(u.id ORDER BY u.id), array_agg(u.chat ORDER BY u.id), array_agg(u.usr ORDER BY u.id),
         array_agg(u.type ORDER BY u.id), array_agg(u.payload ORDER BY u.id)
    INTO ids, chats, users, types, payloads
    FROM (SELECT DISTINCT ON (x.id) x.id, x.chat, x.usr, x.type, x.payload
          FROM unnest(p_ids, p_chats, p_users, p_types, p_payloads) AS x(id, chat, usr, type, payload)
          WHERE NOT EXISTS (SELECT 1 FROM ${UPDATE_INBOX_TABLE} t WHERE t.update_id = x.id)
          ORDER BY x.id) AS u;
  n := coalesce(array_length(ids, 1), 0);
  IF n = 0 THEN RETURN; END IF;
  lease_flags := array_fill(false, ARRAY[n]);
  decision_list := array_fill(NULL::text, ARRAY[n]);
  wait_list := array_fill(NULL::bigint, ARRAY[n]);
  FOR i IN 1..n LOOP
    IF chats[i] IS NULL THEN
      IF leases < p_max_leases THEN lease_flags[i] := true; leases := leases + 1; END IF;
    ELSIF NOT (chats[i] = ANY(seen)) THEN
      seen := seen || chats[i];
      IF leases < p_max_leases AND NOT EXISTS (
        SELECT 1 FROM ${UPDATE_INBOX_TABLE} e WHERE e.chat_key = chats[i] AND e.status IN ('pending', 'leased')
      ) THEN
        lease_flags[i] := true;
        leases := leases + 1;
      END IF;
    END IF;
  END LOOP;
  IF p_window_prefix IS NOT NULL THEN
    FOR i IN SELECT k.i FROM unnest(users) WITH ORDINALITY AS k(usr, i)
             WHERE k.usr IS NOT NULL ORDER BY p_window_prefix || k.usr, k.i LOOP
      INSERT INTO botloom_rate_windows AS w (key, hits, notified, allowed, notify, expires_at)
      VALUES (p_window_prefix || users[i], ARRAY[p_window_now], false, true, false,
              now() + p_window_ms * interval '1 millisecond')
      ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN cardinality(ARRAY(SELECT h FROM unnest(w.hits) AS h WHERE h > p_window_now - p_window_ms)) < p_window_limit
          THEN ARRAY(SELECT h FROM unnest(w.hits) AS h WHERE h > p_window_now - p_window_ms) || p_window_now
          ELSE ARRAY(SELECT h FROM unnest(w.hits) AS h WHERE h > p_window_now - p_window_ms) END,
        allowed = cardinality(ARRAY(SELECT h FROM unnest(w.hits) AS h WHERE h > p_window_now - p_window_ms)) < p_window_limit,
        notify = NOT cardinality(ARRAY(SELECT h FROM unnest(w.hits) AS h WHERE h > p_window_now - p_window_ms)) < p_window_limit
          AND NOT w.notified,
        notified = NOT cardinality(ARRAY(SELECT h FROM unnest(w.hits) AS h WHERE h > p_window_now - p_window_ms)) < p_window_limit,
        expires_at = now() + p_window_ms * interval '1 millisecond'
      RETURNING w.allowed, w.notify, (SELECT min(h) FROM unnest(w.hits) AS h) AS oldest INTO hit;
      decision_list[i] := CASE WHEN hit.allowed THEN 'allow' WHEN hit.notify THEN 'notify' ELSE 'drop' END;
      IF NOT hit.allowed THEN
        wait_list[i] := coalesce(hit.oldest, p_window_now) + p_window_ms - p_window_now;
      END IF;
    END LOOP;
  END IF;
  WITH stored AS (
    INSERT INTO ${UPDATE_INBOX_TABLE} AS t (update_id, chat_key, user_id, update_type, payload, status, attempts,
      available_at, received_at, lease_owner, lease_until, rate_decision)
    SELECT s.id, s.chat, s.usr, s.type, s.payload,
           CASE WHEN s.l THEN 'leased' ELSE 'pending' END, CASE WHEN s.l THEN 1 ELSE 0 END,
           p_now, p_now, CASE WHEN s.l THEN p_owner END, CASE WHEN s.l THEN p_lease_until END, s.d
    FROM unnest(ids, chats, users, types, payloads, lease_flags, decision_list) AS s(id, chat, usr, type, payload, l, d)
    ON CONFLICT ON CONSTRAINT ${UPDATE_INBOX_TABLE}_pkey DO NOTHING
    RETURNING t.update_id AS id, t.chat_key AS chat, t.status = 'leased' AS l
  )
  SELECT array_agg(s.id), array_agg(s.chat), array_agg(s.l) INTO stored_ids, stored_chats, stored_leased FROM stored s;
  -- botloom_kv exists only with a PostgreSQL KV: it is named only when asked for.
  IF p_session_prefix IS NULL THEN
    RETURN QUERY
    SELECT o.id, o.l, d.decision, d.wait, NULL::text
    FROM unnest(stored_ids, stored_leased) AS o(id, l)
    JOIN unnest(ids, decision_list, wait_list) AS d(id, decision, wait) ON d.id = o.id;
  ELSE
    RETURN QUERY
    SELECT o.id, o.l, d.decision, d.wait, CASE WHEN o.l AND o.chat IS NOT NULL THEN (
      SELECT kv.value FROM botloom_kv kv
      WHERE kv.key = p_session_prefix || CASE WHEN o.chat LIKE 'user:%' THEN substr(o.chat, 6) ELSE o.chat END
        AND (kv.expires_at IS NULL OR kv.expires_at > now())) END
    FROM unnest(stored_ids, stored_chats, stored_leased) AS o(id, chat, l)
    JOIN unnest(ids, decision_list, wait_list) AS d(id, decision, wait) ON d.id = o.id;
  END IF;
END
$fn$`;

/**
 * Marks leased updates done (payload dropped), in the same transaction as the KV entries they
 * changed (their chats' sessions, only for updates still leased to the caller); with p_claim_limit, leases that many due updates to
 * p_claim_owner in the slots they free (as UpdateInbox.claim, with their sessions); and says for
 * each whether its chat has a pending update waiting (so the worker claims only then). The chats are locked like at intake, so an update
 * stored meanwhile is either seen here as pending or sees this one done (and is leased there);
 * the lock is only tried (never waited for), and a chat locked by an intake in flight counts as
 * having one waiting.
 */
const DONE_FUNCTION_SQL = `
CREATE OR REPLACE FUNCTION ${DONE_FUNCTION}(
  p_ids bigint[], p_owners text[], p_now timestamptz,
  p_kv_ids bigint[], p_kv_keys text[], p_kv_values text[],
  p_claim_limit integer, p_claim_owner text, p_lease_until timestamptz, p_session_prefix text)
RETURNS TABLE (update_id bigint, done boolean, next_pending boolean, claimed boolean, update_type text,
  chat_key text, attempts integer, payload text, rate_decision text, session text)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  locked_chat text;
  busy_chats text[] := '{}';
  done_ids bigint[];
  c_ids bigint[];
  c_types text[];
  c_chats text[];
  c_attempts integer[];
  c_payloads text[];
  c_decisions text[];
BEGIN
  -- Never waits: a chat whose lock an intake holds right now is reported as having a pending
  -- update (the worker claims once this commits, and finds it if that intake left it pending).
  FOR locked_chat IN SELECT DISTINCT t.chat_key FROM ${UPDATE_INBOX_TABLE} t
              WHERE t.update_id = ANY(p_ids) AND t.chat_key IS NOT NULL LOOP
    IF NOT pg_try_advisory_xact_lock(${CHAT_LOCK_CLASS}, hashtext(locked_chat)) THEN
      busy_chats := busy_chats || locked_chat;
    END IF;
  END LOOP;
  WITH d AS (
    UPDATE ${UPDATE_INBOX_TABLE} t SET status = 'done', done_at = p_now, payload = NULL, lease_owner = NULL, lease_until = NULL
    FROM unnest(p_ids, p_owners) AS x(id, owner)
    WHERE t.update_id = x.id AND t.status = 'leased' AND t.lease_owner = x.owner
    RETURNING t.update_id
  )
  SELECT coalesce(array_agg(d.update_id), '{}') INTO done_ids FROM d;
  -- botloom_kv is named only when there is something to write (it exists with a PostgreSQL KV).
  IF coalesce(array_length(p_kv_ids, 1), 0) > 0 THEN
    INSERT INTO botloom_kv AS kv (key, value, expires_at)
    SELECT DISTINCT ON (k.key) k.key, k.value, NULL::timestamptz
    FROM unnest(p_kv_ids, p_kv_keys, p_kv_values) WITH ORDINALITY AS k(id, key, value, i)
    WHERE k.id = ANY(done_ids)
    ORDER BY k.key, k.i DESC
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at;
  END IF;
  -- The slots these updates free, filled right away: the same lease as UpdateInbox.claim.
  IF coalesce(p_claim_limit, 0) > 0 THEN
    WITH next AS (
      SELECT u.update_id FROM ${UPDATE_INBOX_TABLE} u
      WHERE ((u.status = 'pending' AND u.available_at <= p_now) OR (u.status = 'leased' AND u.lease_until <= p_now))
        AND (u.chat_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM ${UPDATE_INBOX_TABLE} e
          WHERE e.chat_key = u.chat_key AND e.update_id < u.update_id AND e.status IN ('pending', 'leased')))
      ORDER BY u.update_id
      LIMIT p_claim_limit
      FOR UPDATE SKIP LOCKED
    ), taken AS (
      UPDATE ${UPDATE_INBOX_TABLE} t
      SET status = 'leased', lease_owner = p_claim_owner, lease_until = p_lease_until, attempts = t.attempts + 1
      FROM next WHERE t.update_id = next.update_id
      RETURNING t.update_id AS id, t.update_type AS type, t.chat_key AS chat, t.attempts AS n, t.payload AS body,
        t.rate_decision AS decision
    )
    SELECT array_agg(k.id), array_agg(k.type), array_agg(k.chat), array_agg(k.n), array_agg(k.body), array_agg(k.decision)
      INTO c_ids, c_types, c_chats, c_attempts, c_payloads, c_decisions FROM taken k;
    IF p_session_prefix IS NULL THEN
      RETURN QUERY
      SELECT c.id, false, false, true, c.type, c.chat, c.n, c.body, c.decision, NULL::text
      FROM unnest(c_ids, c_types, c_chats, c_attempts, c_payloads, c_decisions) AS c(id, type, chat, n, body, decision);
    ELSE
      RETURN QUERY
      SELECT c.id, false, false, true, c.type, c.chat, c.n, c.body, c.decision, CASE WHEN c.chat IS NOT NULL THEN (
        SELECT kv.value FROM botloom_kv kv
        WHERE kv.key = p_session_prefix || CASE WHEN c.chat LIKE 'user:%' THEN substr(c.chat, 6) ELSE c.chat END
          AND (kv.expires_at IS NULL OR kv.expires_at > now())) END
      FROM unnest(c_ids, c_types, c_chats, c_attempts, c_payloads, c_decisions) AS c(id, type, chat, n, body, decision);
    END IF;
  END IF;
  -- After the claim: an update it took is no longer pending.
  RETURN QUERY
  SELECT x.id, x.id = ANY(done_ids), t.chat_key = ANY(busy_chats) OR EXISTS (
    SELECT 1 FROM ${UPDATE_INBOX_TABLE} e
    WHERE e.chat_key = t.chat_key AND e.status = 'pending'), false,
    NULL::text, NULL::text, NULL::integer, NULL::text, NULL::text, NULL::text
  FROM unnest(p_ids) AS x(id)
  LEFT JOIN ${UPDATE_INBOX_TABLE} t ON t.update_id = x.id;
END
$fn$`;
