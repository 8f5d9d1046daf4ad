import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { App } from '@botloom/core';
import { SegmentationTokens, writeGeneratedCsv } from '@botloom/plugin-segmentation';

const DEMO_CLIENTS = 1500;

/**
 * Sandbox mode only: so that a newcomer can try /segments, /segment and /insight at once, an
 * empty segmentation database gets synthetic clients (the plugin's own seeded generator),
 * imported and segmented like an admin upload would be. Never runs with a real bot token,
 * and never touches a database that already holds a segmentation. Until the data is ready,
 * segmentation answers "preparing demo data" instead of "no data"; call this right after
 * `app.start()`, before printing the banner.
 */
export async function seedSandboxDemoData(app: App): Promise<void> {
  if (!app.sandbox || !app.plugins.some((plugin) => plugin.id === 'segmentation')) return;
  const services = app.resolver('segmentation')(SegmentationTokens.Services);
  // Before the first await: from now until the data is ready, /segments says it is coming.
  const ready = services.preparation.begin();
  const dir = path.join(app.dataDir, 'demo');
  const file = path.join(dir, 'segmentation-demo.csv');
  try {
    if (await services.queries.latestRun()) return;
    // A stop (Ctrl+C) between the import and the segmentation: segment what is there.
    const imports = await services.imports.listImports(1);
    if (!imports.some((record) => record.status === 'completed')) {
      await mkdir(dir, { recursive: true });
      const out = createWriteStream(file);
      await writeGeneratedCsv(out, { clients: DEMO_CLIENTS, seed: 42 });
      out.end();
      await finished(out);
      const imported = await services.imports.importFile(file);
      if (imported.status !== 'completed') throw new Error(`demo import ${imported.status}`);
    }
    await services.recompute.recompute({ trigger: 'manual' });
    app.logger.info(
      { clients: DEMO_CLIENTS },
      'sandbox demo: synthetic segmentation data imported and segmented (try /segments)',
    );
  } finally {
    ready();
    await rm(file, { force: true });
  }
}
