// @botloom/core/testing: the test kit.
export { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../db/embedded-postgres.js';
export { type ServiceOverride, serviceOverride } from '../di/service-overrides.js';
export {
  type BotApiEmulator,
  createBotApiEmulator,
  type FaultRule,
  type PressResult,
  SandboxClient,
  SandboxClientError,
  SandboxGroups,
  SandboxUser,
} from '../sandbox/index.js';
export {
  type AdminPanelCredentials,
  type AdminPanelPage,
  type AdminPanelPageOptions,
  openAdminPanel,
  signedInAdminPanel,
  signInToAdminPanel,
} from './admin-panel-browser.js';
export { ensureAdminUiBuilt } from './admin-ui-build.js';
export { type BadInputCase, findBadInputMismatches } from './bad-input.js';
export { CHROMIUM_LAUNCH_ARGS, CHROMIUM_PATH, chromiumAvailable, chromiumLaunchOptions } from './chromium.js';
export {
  DEFAULT_FAKE_REPLY,
  type FakeChatRequest,
  type FakeFaultKind,
  type FakeFaultOptions,
  type FakeOpenAI,
  type FakeOpenAIOptions,
  type FakeReply,
  type FakeRequestLogEntry,
  type FakeRule,
  startFakeOpenAI,
} from './fake-openai.js';
export {
  type FakeSentry,
  type FakeSentryEnvelope,
  type FakeSentryItem,
  parseEnvelope,
  startFakeSentry,
} from './fake-sentry.js';
export { InMemoryVectorStore, type InMemoryVectorStoreOptions } from './in-memory-vector-store.js';
export {
  type ScriptedData,
  ScriptedLlm,
  type ScriptedLlmCall,
  type ScriptedLlmCallKind,
  type ScriptedLlmFailure,
  type ScriptedLlmMatch,
  type ScriptedLlmOptions,
  type ScriptedLlmRequest,
  type ScriptedLlmRule,
  type ScriptedReply,
  type ScriptedTextMatcher,
  scriptedLlmError,
} from './scripted-llm.js';
export {
  type AdminClient,
  type AdminResponse,
  type StartTestAppOptions,
  startTestApp,
  type TestApp,
  type TestAppServices,
} from './test-app.js';
export { createTestDatabase, type TestDatabase, testRedisUrl } from './test-database.js';
