import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { SegmentationError } from './errors.js';

export type FileFormat = 'csv' | 'parquet';

/** One raw record of a file, keyed by the file's own column names. */
export interface RawRecord {
  line: number;
  values: Record<string, unknown>;
  /** Set when the record cannot even be split into fields (e.g. wrong field count). */
  problem?: string;
}

export interface RecordSource {
  header: string[];
  records: AsyncIterable<RawRecord>;
}

export interface ReadProgress {
  /** 0..1 of the file processed. */
  fraction: number;
}

export async function detectFormat(filePath: string): Promise<FileFormat> {
  const handle = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buffer, 0, 4, 0);
    return bytesRead === 4 && buffer.toString('latin1') === 'PAR1' ? 'parquet' : 'csv';
  } finally {
    await handle.close();
  }
}

export async function fileSha256(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function firstLine(filePath: string): Promise<string> {
  const handle = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  } finally {
    await handle.close();
  }
}

/** The delimiter used in the header line: the most frequent of `,` `;` and tab. */
function detectDelimiter(header: string): string {
  const counts = [',', ';', '\t'].map((d) => [d, header.split(d).length - 1] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 0 ? counts[0][0] : ',';
}

/** Streams a CSV file (header on the first line); memory stays flat whatever the size. */
export async function openCsv(
  filePath: string,
  onProgress?: (p: ReadProgress) => void,
): Promise<RecordSource> {
  const { size } = await stat(filePath);
  if (size === 0) throw new SegmentationError('SEGMENTATION_EMPTY_FILE', 'The file is empty');
  const delimiter = detectDelimiter(await firstLine(filePath));
  const { parse } = await import('csv-parse');
  const stream = createReadStream(filePath);
  let bytes = 0;
  stream.on('data', (chunk) => {
    bytes += chunk.length;
    onProgress?.({ fraction: bytes / size });
  });
  const parser = stream.pipe(
    parse({ delimiter, bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }),
  );
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: string[];
    info: { lines: number };
  }>;
  let first: IteratorResult<{ record: string[]; info: { lines: number } }>;
  try {
    first = await iterator.next();
  } catch (error) {
    stream.destroy();
    throw new SegmentationError(
      'SEGMENTATION_UNREADABLE_FILE',
      `The CSV header cannot be read: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (first.done) throw new SegmentationError('SEGMENTATION_EMPTY_FILE', 'The file is empty');
  const header = first.value.record;
  async function* records(): AsyncGenerator<RawRecord> {
    try {
      while (true) {
        let next: IteratorResult<{ record: string[]; info: { lines: number } }>;
        try {
          next = await iterator.next();
        } catch (error) {
          throw new SegmentationError(
            'SEGMENTATION_UNREADABLE_FILE',
            `The CSV cannot be parsed: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        }
        if (next.done) return;
        const { record, info } = next.value;
        const values: Record<string, unknown> = {};
        header.forEach((name, i) => {
          values[name] = record[i];
        });
        yield {
          line: info.lines,
          values,
          problem:
            record.length === header.length
              ? undefined
              : `expected ${header.length} fields, got ${record.length}`,
        };
      }
    } finally {
      stream.destroy();
    }
  }
  return { header, records: records() };
}

/**
 * Reads a Parquet file one row group at a time (hyparquet reads only the byte ranges it
 * needs), so only one row group is in memory at once. Row numbers start at 1.
 */
export async function openParquet(
  filePath: string,
  onProgress?: (p: ReadProgress) => void,
): Promise<RecordSource> {
  const { size } = await stat(filePath);
  if (size === 0) throw new SegmentationError('SEGMENTATION_EMPTY_FILE', 'The file is empty');
  // Loaded at the first Parquet import, not with the plugin.
  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } = await import(
    'hyparquet'
  );
  let file: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    file = await asyncBufferFromFile(filePath);
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new SegmentationError(
      'SEGMENTATION_UNREADABLE_FILE',
      `Not a readable Parquet file: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const header = parquetSchema(metadata).children.map((child) => child.element.name);
  const total = Number(metadata.num_rows);
  if (total === 0) throw new SegmentationError('SEGMENTATION_EMPTY_FILE', 'The Parquet file has no rows');
  async function* records(): AsyncGenerator<RawRecord> {
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      const rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd });
      for (let i = 0; i < rows.length; i++) yield { line: rowStart + i + 1, values: rows[i] };
      rowStart = rowEnd;
      onProgress?.({ fraction: rowStart / total });
    }
  }
  return { header, records: records() };
}
