import type { Profile } from '../services/profile-service.js';

type T = (key: string, vars?: Record<string, string | number>) => string;

/** `2025-05-01 14:30` in UTC: unambiguous in both languages. */
export function formatUtc(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

export function clipText(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export function profileText(t: T, profile: Profile): string {
  const body = t('memory-profile', {
    role: t(`memory-role-${profile.role}`),
    language: t(`memory-language-${profile.answerLanguage}`),
    length: t(`memory-length-${profile.answerLength}`),
  });
  return profile.role === 'custom' && profile.customInstruction
    ? `${body}\n${t('memory-profile-custom', { instruction: profile.customInstruction })}`
    : body;
}
