import 'reflect-metadata';

export type { BotContext, SessionData } from './bot/context.js';
export { type CoreConfig, CoreConfigSchema } from './config/core-config.js';
export type { Crypto } from './crypto/types.js';
export { createToken, type Resolve, type Token, tokenName } from './di/tokens.js';
export { BootError, BotloomError, MissingServiceError } from './errors/botloom-error.js';
export type { BotloomEvents, EventBus } from './events/types.js';
export type { FileStorage, StoredFile } from './files/types.js';
export type { AdminPrincipal, AdminRole, AdminState } from './http/types.js';
export type { Translator } from './i18n/types.js';
export type { Jobs, SendJobOptions } from './jobs/types.js';
export type * from './llm/types.js';
export { definePlugin } from './plugin/define-plugin.js';
export type * from './plugin/types.js';
export { Tokens } from './tokens.js';
export type * from './vector/types.js';
