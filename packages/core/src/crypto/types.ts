/** AES-256-GCM for secrets and personal data at rest. */
export interface Crypto {
  encrypt(plaintext: string): string;
  decrypt(ciphertext: string): string;
  /** Keyed hash (HMAC-SHA256, hex) for lookups of values that are stored encrypted. */
  digest(value: string): string;
}
