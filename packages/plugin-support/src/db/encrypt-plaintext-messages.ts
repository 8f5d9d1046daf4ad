import { QueryTypes, type Sequelize } from 'sequelize';
import { type MessageTextCodec, termsParam } from './message-text.js';

/**
 * Seals support messages stored in plaintext (rows written before text was encrypted): their
 * text moves to `text_enc` and gets its search terms, `text` is emptied. In batches, each
 * batch in one transaction; safe to run on several instances at once (rows are locked and
 * skipped). Returns how many rows were sealed.
 */
export async function encryptPlaintextMessages(
  db: Sequelize,
  codec: MessageTextCodec,
  batchSize = 500,
): Promise<number> {
  let total = 0;
  for (;;) {
    const sealed = await db.transaction(async (transaction) => {
      const rows = await db.query<{ id: string; text: string }>(
        `SELECT id, text FROM support_messages WHERE text_enc IS NULL AND text <> ''
         ORDER BY id LIMIT :batchSize FOR UPDATE SKIP LOCKED`,
        { type: QueryTypes.SELECT, replacements: { batchSize }, transaction },
      );
      for (const row of rows) {
        const sealedText = codec.seal(row.text);
        await db.query(
          'UPDATE support_messages SET text = :text, text_enc = :textEnc, search_terms = CAST(:terms AS TEXT[]) WHERE id = :id',
          {
            replacements: { id: row.id, ...sealedText, terms: termsParam(sealedText.searchTerms) },
            transaction,
          },
        );
      }
      return rows.length;
    });
    total += sealed;
    if (sealed < batchSize) return total;
  }
}
