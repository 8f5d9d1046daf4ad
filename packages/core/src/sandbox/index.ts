export { BotApiError } from './api-error.js';
export type { CallbackAnswer, SandboxEvent } from './change-feed.js';
export {
  type PressResult,
  type SandboxChatInfo,
  SandboxClient,
  SandboxClientError,
  SandboxUser,
  type SandboxUserInfo,
  type WebAppLaunch,
} from './client.js';
export { isLoopbackHost, listenHost, SANDBOX_TOKEN_HEADER, sandboxControlToken } from './control-access.js';
export { SandboxControlError } from './control-error.js';
export { type BotApiEmulator, type BotApiEmulatorOptions, createBotApiEmulator } from './emulator.js';
export { type ExtraBotInput, ExtraBots } from './extra-bots.js';
export { FaultInjector, type FaultRule, type FloodLimits } from './faults.js';
export { GroupAccess, type JoinResult, type RequestChatInput } from './group-access.js';
export { SandboxGroups, type SandboxJoinResult } from './group-client.js';
export { botIdFromToken, generateBotToken } from './ids.js';
export {
  detectAutoEntities,
  type FormattedText,
  formatText,
  parseHtml,
  parseMarkdownV2,
} from './parse-mode/index.js';
export type { UnreadCounts } from './read-marks.js';
export {
  type CreateSandboxOptions,
  createSandbox,
  playgroundAddress,
  type Sandbox,
  startSandbox,
} from './sandbox.js';
export {
  signWebAppInitData,
  verifyWebAppInitData,
  type WebAppInitDataInput,
  webAppLaunchUrl,
} from './web-app.js';
export type { ChatState, CreateChatInput, CreateUserInput, SandboxWorld } from './world.js';
