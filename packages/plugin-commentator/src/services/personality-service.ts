import type { Account, Voice } from './records.js';

/**
 * The voice guide of a real account (the brand's, or a team member's who shows who they
 * are): how it writes, never who it pretends to be. Turns it into the model's instructions
 * and owns the disclosure line.
 */
export class PersonalityService {
  /** The line that says who is speaking, e.g. "— Acme team". Null when the account switched it off. */
  disclosureLine(account: Account): string | null {
    if (!account.disclosureEnabled) return null;
    const text = account.disclosureText?.trim() || `— ${account.label}`;
    return text;
  }

  instructions(account: Account, voice: Voice, language: string, maxChars: number): string {
    const lines = [
      `You write one short public comment under a Telegram channel post, as ${account.label}, openly.`,
      'You are the brand or team itself. Never claim or imply to be an independent customer, reader or bystander.',
      'No invented experiences, no fake enthusiasm, no calls to write in private, no links unless the post has them.',
      `Write in ${language === 'ru' ? 'Russian' : language === 'en' ? 'English' : "the post's language"}.`,
      `At most ${maxChars} characters. Plain text, no hashtags.`,
    ];
    if (voice.style) lines.push(`Style: ${voice.style}`);
    if (voice.tone) lines.push(`Tone: ${voice.tone}`);
    if (voice.interests.length) lines.push(`Interests: ${voice.interests.join(', ')}`);
    if (voice.vocabulary.length) lines.push(`Words this account uses: ${voice.vocabulary.join(', ')}`);
    if (voice.phrases.length) lines.push(`Phrases this account uses: ${voice.phrases.join(' | ')}`);
    return lines.join('\n');
  }

  /**
   * The final text: the body cut at a word boundary so that body + disclosure fit `maxChars`,
   * then the disclosure line on its own line.
   */
  finalize(body: string, disclosure: string | null, maxChars: number): string {
    const clean = body
      .replace(/^\[offline\]\s*/i, '')
      .replace(/\s+\n/g, '\n')
      .trim();
    const tail = disclosure ? `\n\n${disclosure}` : '';
    const room = Math.max(10, maxChars - tail.length);
    let text = clean;
    if (text.length > room) {
      const cut = text.slice(0, room - 1);
      const space = cut.lastIndexOf(' ');
      text = `${(space > room / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
    }
    if (disclosure && text.endsWith(disclosure)) return text;
    return `${text}${tail}`;
  }
}
