/**
 * `/segment_<card id>`: a command Telegram (and the sandbox) renders as a link, so a card id in
 * `/clients` can be tapped. Telegram commands are at most 32 characters of letters, digits and
 * underscores; ids that do not fit are listed as plain text (`/segment <id>` still works).
 */
const PREFIX = 'segment_';
const MAX_COMMAND_LENGTH = 32;

export const CARD_COMMAND = /^\/segment_([A-Za-z0-9_]+)(?:@\w+)?$/;

export function cardCommand(cardId: string): string {
  const command = `${PREFIX}${cardId}`;
  return /^[A-Za-z0-9_]+$/.test(cardId) && command.length <= MAX_COMMAND_LENGTH ? `/${command}` : cardId;
}
