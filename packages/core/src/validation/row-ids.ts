import { z } from 'zod';

/** Largest value of PostgreSQL's INTEGER (the type of SERIAL columns). */
export const MAX_SERIAL_ID = 2_147_483_647;

const MESSAGE = `must be an integer between 1 and ${MAX_SERIAL_ID}`;

/**
 * The id of a row with a SERIAL key in a path or query parameter. Strict decimal digits (no
 * exponent, sign or leading zeros), so `1e3` or `3000000000` are a 422 instead of a query that
 * PostgreSQL rejects with "integer out of range" (a 500).
 */
export const serialIdParam = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, MESSAGE)
  .transform(Number)
  .pipe(z.number().int().max(MAX_SERIAL_ID, MESSAGE));
