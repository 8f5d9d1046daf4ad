import type { Crypto } from '@botloom/core';
import { z } from 'zod';
import type { Sql } from '../store/sql.js';

export const AgentRoles = ['coder', 'product_manager', 'assistant', 'custom'] as const;
export type AgentRole = (typeof AgentRoles)[number];
export const AnswerLanguages = ['auto', 'en', 'ru'] as const;
export type AnswerLanguage = (typeof AnswerLanguages)[number];
export const AnswerLengths = ['short', 'normal', 'detailed'] as const;
export type AnswerLength = (typeof AnswerLengths)[number];

export const ProfileInputSchema = z
  .object({
    role: z.enum(AgentRoles),
    customInstruction: z.string().trim().min(1).max(4000).optional(),
    answerLanguage: z.enum(AnswerLanguages),
    answerLength: z.enum(AnswerLengths),
  })
  .refine((p) => p.role !== 'custom' || !!p.customInstruction, {
    message: 'A custom role needs an instruction',
    path: ['customInstruction'],
  });

export type ProfileInput = z.input<typeof ProfileInputSchema>;

export interface Profile {
  userId: string;
  role: AgentRole;
  customInstruction: string | null;
  answerLanguage: AnswerLanguage;
  answerLength: AnswerLength;
  createdAt: Date;
  updatedAt: Date;
}

/** The profile used before the user personalises the agent. */
export function defaultProfile(userId: string): Profile {
  const now = new Date(0);
  return {
    userId,
    role: 'assistant',
    customInstruction: null,
    answerLanguage: 'auto',
    answerLength: 'normal',
    createdAt: now,
    updatedAt: now,
  };
}

interface ProfileRow {
  user_id: string;
  role: AgentRole;
  custom_instruction_enc: string | null;
  answer_language: AnswerLanguage;
  answer_length: AnswerLength;
  created_at: Date;
  updated_at: Date;
}

/** The user's agent profile (role and answer preferences); the custom instruction is encrypted. */
export class ProfileService {
  constructor(
    private readonly sql: Sql,
    private readonly crypto: Crypto,
  ) {}

  async get(userId: string): Promise<Profile | null> {
    const row = await this.sql.one<ProfileRow>('SELECT * FROM memory_profiles WHERE user_id = $1', [userId]);
    return row ? this.fromRow(row) : null;
  }

  async getOrDefault(userId: string): Promise<Profile> {
    return (await this.get(userId)) ?? defaultProfile(userId);
  }

  async save(userId: string, input: ProfileInput): Promise<Profile> {
    const p = ProfileInputSchema.parse(input);
    const instruction =
      p.role === 'custom' && p.customInstruction ? this.crypto.encrypt(p.customInstruction) : null;
    const row = await this.sql.one<ProfileRow>(
      `INSERT INTO memory_profiles (user_id, role, custom_instruction_enc, answer_language, answer_length)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id) DO UPDATE SET role = EXCLUDED.role,
         custom_instruction_enc = EXCLUDED.custom_instruction_enc,
         answer_language = EXCLUDED.answer_language, answer_length = EXCLUDED.answer_length,
         updated_at = now()
       RETURNING *`,
      [userId, p.role, instruction, p.answerLanguage, p.answerLength],
    );
    return this.fromRow(row!);
  }

  async delete(userId: string): Promise<void> {
    await this.sql.execute('DELETE FROM memory_profiles WHERE user_id = $1', [userId]);
  }

  private fromRow(row: ProfileRow): Profile {
    return {
      userId: row.user_id,
      role: row.role,
      customInstruction: row.custom_instruction_enc ? this.crypto.decrypt(row.custom_instruction_enc) : null,
      answerLanguage: row.answer_language,
      answerLength: row.answer_length,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    };
  }
}
