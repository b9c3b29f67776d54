/**
 * Keras 3's .keras files: a zip holding model.weights.h5 (the weights, in .weights.h5's
 * layout), config.json (the model's config) and metadata.json (keras_version). Read with
 * jszip; the weights are decoded by hdf5.ts (on its thread, with its time limit), and
 * config.json and the version become the attributes a legacy .h5 carries (model_config,
 * keras_version), so the Keras importer reads all three kinds of file alike.
 */
import { InputError } from '../errors.js';
import { decodeHdf5, type DecodedHdf5 } from './hdf5.js';
import { readLimit } from './fs.js';

/** A zip's local file header signature, PK\3\4. */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

const WEIGHTS = 'model.weights.h5';

export async function decodeKerasArchive(bytes: Uint8Array, file: string): Promise<DecodedHdf5> {
  if (!isZip(bytes)) throw new InputError(`${file}: not a .keras archive (a .keras file is a zip; this one does not start with a zip header)`);
  const { default: JSZip } = await import('jszip');
  let zip: InstanceType<typeof JSZip>;
  try {
    // Not checkCRC32: it would inflate every entry before the limits below are applied.
    zip = await JSZip.loadAsync(bytes);
  } catch (error) {
    throw new InputError(`${file}: not a readable .keras archive (corrupt zip: ${(error as Error).message})`);
  }
  const entry = zip.file(WEIGHTS);
  if (!entry) {
    const names = Object.keys(zip.files).filter((n) => !zip.files[n]!.dir);
    throw new InputError(`${file}: a .keras archive holds ${WEIGHTS}, this one does not (it holds ${names.length ? names.slice(0, 6).join(', ') : 'nothing'})`);
  }
  const limit = readLimit('weights');
  const read = (name: string) => inflate(zip, name, limit, file);
  const h5 = await decodeHdf5((await read(WEIGHTS))!, file);
  const text = async (name: string) => {
    const data = await read(name);
    return data && new TextDecoder().decode(data);
  };
  const config = await text('config.json');
  const metadata = await text('metadata.json');
  const attributes: Record<string, string> = { ...h5.attributes };
  if (config !== undefined) {
    parseJson(config, file, 'config.json');
    attributes.model_config = config;
  }
  const version = metadata === undefined ? undefined : (parseJson(metadata, file, 'metadata.json') as { keras_version?: unknown } | null)?.keras_version;
  // A .keras file is Keras 3's format; its metadata names the exact version.
  attributes.keras_version = typeof version === 'string' ? version : '3';
  return { ...h5, attributes };
}

/**
 * An entry's bytes, inflated as a stream and stopped past `limit` (a small zip can inflate
 * to gigabytes, and the sizes its directory states are only claims); undefined when absent.
 */
function inflate(zip: import('jszip'), name: string, limit: number, file: string): Promise<Uint8Array | undefined> {
  const entry = zip.file(name);
  if (!entry) return Promise.resolve(undefined);
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // jszip's Node stream is a Readable: it can be stopped where the limit is passed.
    const stream = entry.nodeStream('nodebuffer') as import('node:stream').Readable;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        stream.destroy();
        fail(new InputError(`${file}: ${name} inflates to more than ${limit} bytes, the read limit for weights (--max-read-mb raises it)`));
      }
    });
    stream.on('error', (error: Error) => fail(new InputError(`${file}: cannot inflate ${name} (${error.message})`)));
    stream.on('end', () => done(new Uint8Array(Buffer.concat(chunks))));
  });
}

function parseJson(text: string, file: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`${file}: ${name} in the .keras archive is not valid JSON`);
  }
}
