import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import { BootError, BotloomError } from '../errors/botloom-error.js';
import { importOptional } from '../errors/optional-dependency.js';
import type { ObjectStore } from './types.js';

export interface S3ObjectStoreOptions {
  endpoint: string;
  bucket: string;
  region: string;
  /** Both or neither; neither = the AWS SDK's default credential chain (env, profile, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** `<endpoint>/<bucket>/<key>` instead of `<bucket>.<endpoint>/<key>`; MinIO needs true. */
  forcePathStyle: boolean;
  /** Key prefix inside the bucket. Default `files/`. */
  prefix?: string;
  logger?: Logger;
}

/** Multipart part size: the most bytes one upload holds in memory at a time. */
const PART_SIZE = 5 * 1024 * 1024;
const BOOT_CHECK_TIMEOUT_MS = 15_000;

/** The endpoint without user info, safe to put in messages and logs. */
export function displayEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return '(invalid S3_ENDPOINT)';
  }
}

// The AWS SDK is an optional peer dependency, loaded at the first use of an S3 store: an app
// without S3_ENDPOINT neither installs it (26 MB) nor loads it (about 10 MB of memory and a few
// hundred milliseconds of start).
const S3_PACKAGES = { '@aws-sdk/client-s3': '~3.1169.0', '@aws-sdk/lib-storage': '~3.1169.0' };
type S3Sdk = typeof import('@aws-sdk/client-s3') & { Upload: typeof import('@aws-sdk/lib-storage').Upload };
let sdkLoading: Promise<S3Sdk> | undefined;
let loadedSdk: S3Sdk | undefined;
function loadSdk(): Promise<S3Sdk> {
  sdkLoading ??= importOptional(
    () => Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]),
    'S3 file storage (S3_ENDPOINT)',
    S3_PACKAGES,
  ).then(([client, storage]) => {
    loadedSdk = { ...client, Upload: storage.Upload };
    return loadedSdk;
  });
  // A failed load (not installed) is reported at every use, not cached as a rejection forever.
  sdkLoading.catch(() => {
    sdkLoading = undefined;
  });
  return sdkLoading;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** `NoSuchKey (HTTP 404)`, or the network error's code and message; never request details. */
function summarize(error: unknown): string {
  if (loadedSdk && error instanceof loadedSdk.S3ServiceException) {
    const status = httpStatus(error);
    return `${error.name}${status ? ` (HTTP ${status})` : ''}`;
  }
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return [code, message].filter(Boolean).join(': ') || String(error);
}

/**
 * Bytes in an S3-compatible bucket (AWS S3, MinIO, ...); new files get the key `<prefix><id>`. Uploads go
 * through `@aws-sdk/lib-storage`: one PutObject for small files, a multipart upload of 5 MiB
 * parts otherwise, aborted when the input fails (for instance over the size limit).
 */
export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore {
  const { bucket } = options;
  const endpoint = displayEndpoint(options.endpoint);
  const prefix = options.prefix ?? 'files/';
  let client: S3Client | undefined;
  const connect = async (): Promise<{ sdk: S3Sdk; client: S3Client }> => {
    const sdk = await loadSdk();
    client ??= createClient(sdk, options);
    return { sdk, client };
  };
  const requestFailed = (operation: string, key: string, error: unknown) =>
    new BotloomError(
      'S3_REQUEST_FAILED',
      `S3 ${operation} of "${bucket}/${key}" at ${endpoint} failed: ${summarize(error)}`,
      { cause: error },
    );

  return {
    backend: 's3',
    keyFor: (id) => `${prefix}${id}`,

    async init() {
      const { sdk, client } = await connect();
      try {
        await client.send(new sdk.HeadBucketCommand({ Bucket: bucket }), {
          abortSignal: AbortSignal.timeout(BOOT_CHECK_TIMEOUT_MS),
        });
      } catch (error) {
        const status = httpStatus(error);
        if (
          status === 404 ||
          (error as Error)?.name === 'NotFound' ||
          (error as Error)?.name === 'NoSuchBucket'
        ) {
          throw new BootError(
            'S3_BUCKET_MISSING',
            `S3 bucket "${bucket}" does not exist at ${endpoint}: create it (MinIO: mc mb <alias>/${bucket}) or fix S3_BUCKET`,
            { cause: error },
          );
        }
        if (status === 401 || status === 403) {
          throw new BootError(
            'S3_ACCESS_DENIED',
            `S3 at ${endpoint} refused access to bucket "${bucket}" (HTTP ${status}): check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and the bucket policy`,
            { cause: error },
          );
        }
        if (status === 301 || status === 400) {
          throw new BootError(
            'S3_BUCKET_UNUSABLE',
            `S3 bucket "${bucket}" at ${endpoint} answered HTTP ${status}: check S3_REGION (${options.region}) and S3_FORCE_PATH_STYLE`,
            { cause: error },
          );
        }
        throw new BootError('S3_UNREACHABLE', `Cannot use S3 at ${endpoint}: ${summarize(error)}`, {
          cause: error,
        });
      }
    },

    async write(key, body, contentType) {
      const { sdk, client } = await connect();
      const upload = new sdk.Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
        partSize: PART_SIZE,
        queueSize: 1,
        leavePartsOnError: false,
      });
      let bodyError: unknown;
      body.once('error', (error) => {
        bodyError = error;
      });
      try {
        await upload.done();
      } catch (error) {
        if (bodyError) {
          // The input failed (over the size limit, client gone); Upload then aborts the
          // multipart upload, and an abort failure would otherwise hide the real cause.
          if (error !== bodyError) {
            options.logger?.warn(
              { err: requestFailed('abort of the multipart upload', key, error) },
              'incomplete multipart upload parts may remain in the bucket',
            );
          }
          throw bodyError;
        }
        throw requestFailed('upload', key, error);
      }
    },

    async read(key) {
      const { sdk, client } = await connect();
      try {
        const response = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!(response.Body instanceof Readable)) {
          throw new Error('GetObject returned a body that is not a Node.js stream');
        }
        return response.Body;
      } catch (error) {
        const missingKey = httpStatus(error) === 404 && (error as Error)?.name !== 'NoSuchBucket';
        if (missingKey || (error as Error)?.name === 'NoSuchKey') return null;
        throw requestFailed('read', key, error);
      }
    },

    async remove(key) {
      const { sdk, client } = await connect();
      try {
        await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key }));
      } catch (error) {
        if (httpStatus(error) === 404) return;
        throw requestFailed('delete', key, error);
      }
    },

    close() {
      client?.destroy();
    },
  };
}

function createClient(sdk: S3Sdk, options: S3ObjectStoreOptions): S3Client {
  return new sdk.S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    credentials:
      options.accessKeyId && options.secretAccessKey
        ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
        : undefined,
    // Our own sha256 covers integrity; the SDK's default CRC32 trailers are not understood by
    // every S3-compatible server.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  });
}
