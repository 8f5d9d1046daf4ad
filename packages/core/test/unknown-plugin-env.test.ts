import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveAppSettings } from '../src/app/resolve-app-settings.js';
import { levenshtein, unknownPluginEnvWarnings } from '../src/config/unknown-plugin-env.js';
import { definePlugin } from '../src/plugin/define-plugin.js';

const orders = definePlugin({
  id: 'order-status',
  version: '1.0.0',
  core: '^0.1.0',
  config: z.object({ maxItems: z.coerce.number().default(5), greeting: z.string().default('hi') }),
});
const ordersX = definePlugin({ id: 'order-status-x', version: '1.0.0', core: '^0.1.0' });

describe('unknown BOTLOOM_<PLUGIN>_<KEY> variables', () => {
  it('measures edit distance', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('same', 'same')).toBe(0);
  });

  it('warns about a mistyped variable under a loaded plugin prefix, naming the closest key', () => {
    const warnings = unknownPluginEnvWarnings(
      [orders, ordersX],
      {
        env: {
          BOTLOOM_ORDER_STATUS_MAX_ITEM: '7',
          BOTLOOM_ORDER_STATUS_GREETING: 'yo',
          BOTLOOM_OTHER_X: '1',
        },
        dotenv: { BOTLOOM_ORDER_STATUS_GRETING: 'hey', BOTLOOM_ORDER_STATUS_X_COLOR: 'red' },
      },
      ['BOTLOOM_DATA_DIR'],
    );
    expect(warnings).toEqual([
      'BOTLOOM_ORDER_STATUS_MAX_ITEM is not a setting of plugin "order-status" and is ignored; did you mean BOTLOOM_ORDER_STATUS_MAX_ITEMS?',
      'BOTLOOM_ORDER_STATUS_GRETING is not a setting of plugin "order-status" and is ignored; did you mean BOTLOOM_ORDER_STATUS_GREETING?',
      'BOTLOOM_ORDER_STATUS_X_COLOR is not a setting of plugin "order-status-x" and is ignored; the plugin has no settings',
    ]);
  });

  it('reaches createApp boot: resolveAppSettings returns the warnings, core names are never flagged', () => {
    const settings = resolveAppSettings({
      plugins: [orders],
      env: { BOTLOOM_ORDER_STATUS_MAXITEMS: '3', BOTLOOM_DATA_DIR: '/tmp/x' },
      dotenv: false,
    });
    expect(settings.configWarnings).toEqual([
      'BOTLOOM_ORDER_STATUS_MAXITEMS is not a setting of plugin "order-status" and is ignored; did you mean BOTLOOM_ORDER_STATUS_MAX_ITEMS?',
    ]);
  });
});
