import type { Crypto } from '@botloom/core';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import { encryptPlaintextMessages } from './encrypt-plaintext-messages.js';
import { MessageTextCodec } from './message-text.js';

/** At start: seals messages stored in plaintext by earlier versions (logged when there were any). */
export async function sealPlaintextMessages(db: Sequelize, crypto: Crypto, logger: Logger): Promise<void> {
  const sealed = await encryptPlaintextMessages(db, new MessageTextCodec(crypto));
  if (sealed > 0) logger.info({ sealed }, 'support messages stored in plaintext were encrypted');
}
