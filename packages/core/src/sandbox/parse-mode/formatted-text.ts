import type { MessageEntity } from 'grammy/types';

/** Plain text plus the entities Telegram stores for it (UTF-16 offsets). */
export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}
