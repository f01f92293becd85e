/**
 * Trains the built-in model on a worker thread: training is seconds to minutes of pure CPU, and on
 * the main thread it would stall the web server and the job lease heartbeat (a stalled heartbeat
 * hands the job to another worker, which would train a second time).
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { BuiltinModel, type BuiltinOptions, trainBuiltin } from './builtin.ts';
import { EmbedderError } from './embedder.ts';

const MARK = 'paperboy-train-builtin';

interface Request {
  mark: typeof MARK;
  docs: string[];
  opts: BuiltinOptions;
}

type Reply = { bytes: Uint8Array } | { error: string };

/** trainBuiltin on a worker thread; resolves with the trained model (same bytes as training inline). */
export function trainInThread(docs: string[], opts: BuiltinOptions = {}): Promise<BuiltinModel> {
  // The worker must load TypeScript too: register tsx there first (workers do not inherit loader hooks).
  const tsx = import.meta.resolve('tsx/esm/api');
  const self = import.meta.url;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(self)}); })`;
  const request: Request = { mark: MARK, docs, opts };
  return new Promise((resolve, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: request });
    let settled = false;
    worker.once('message', (reply: Reply) => {
      settled = true;
      void worker.terminate();
      if ('error' in reply) reject(new EmbedderError(reply.error));
      else resolve(BuiltinModel.deserialize(reply.bytes));
    });
    worker.once('error', (err) => {
      if (!settled) reject(err);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the training thread exited with code ${code} before answering`));
      settled = true;
    });
  });
}

if (!isMainThread && (workerData as Request | undefined)?.mark === MARK) {
  const { docs, opts } = workerData as Request;
  let reply: Reply;
  try {
    const bytes = trainBuiltin(docs, opts).serialize();
    reply = { bytes };
    parentPort!.postMessage(reply, [bytes.buffer as ArrayBuffer]);
  } catch (e) {
    reply = { error: (e as Error).message };
    parentPort!.postMessage(reply);
  }
}
