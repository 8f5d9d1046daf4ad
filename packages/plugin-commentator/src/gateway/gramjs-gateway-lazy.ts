import type { GramjsGatewayOptions } from './gramjs-gateway.js';
import type { UserAccountGateway } from './user-account-gateway.js';

// gramjs (the `telegram` package) costs about 2 s of start and 15 MB of memory: it is loaded
// when an account is first connected, not when the plugin is imported. Sandbox and tests that
// never sign in to a real account never load it.
type GramjsModule = typeof import('./gramjs-gateway.js');
let loaded: GramjsModule | undefined;
let loading: Promise<GramjsModule> | undefined;
function load(): Promise<GramjsModule> {
  loading ??= import('./gramjs-gateway.js').then((module) => {
    loaded = module;
    return module;
  });
  return loading;
}

/** The real-Telegram gateway (gramjs MTProto user sessions); gramjs loads at the first call. */
export function createGramjsGateway(options: GramjsGatewayOptions): UserAccountGateway {
  let gateway: Promise<UserAccountGateway> | undefined;
  const real = () => {
    gateway ??= load().then((module) => module.createGramjsGateway(options));
    return gateway;
  };
  return {
    name: 'gramjs',
    requestCode: async (phone) => (await real()).requestCode(phone),
    signIn: async (input) => (await real()).signIn(input),
    restore: async (session) => (await real()).restore(session),
  };
}

/**
 * gramjs's errors as the plugin's normalised failures. Before a gateway has loaded gramjs no
 * gramjs error of ours can exist, so the error is returned as it is.
 */
export function mapGramjsError(error: unknown): unknown {
  return loaded ? loaded.mapGramjsError(error) : error;
}
