import { Worker } from 'node:worker_threads';
import { DomainError } from '../../common/errors/domain-error';

/**
 * How many characters the strength scorer looks at. zxcvbn's matching grows faster than the
 * length (a random 128-character password took over two seconds), so only the start of a long
 * password is scored: enough for the score to reach its top for any password that is strong
 * there, while one scoring costs a few tens of milliseconds however long the input.
 */
export const SCORED_CHARACTERS = 40;
/**
 * A scoring not answered this long after the scorer is ready (its queue included) ends the
 * scorer's thread and answers 503. Loading the dictionaries at the thread's start is not
 * counted: on a loaded machine it alone can take seconds.
 */
export const SCORING_BUDGET_MS = 20_000;
/**
 * The scorer's thread ends after this long without a scoring: its heap (the dictionaries, about
 * 55 MB resident) is given back, and the next scoring starts it again (half a second of loading).
 * Passwords are typed rarely; a process should not carry the dictionaries between two changes.
 */
export const SCORER_IDLE_MS = 30_000;

export interface StrengthVerdict {
  /** On the list of common passwords (case ignored). */
  readonly common: boolean;
  /** zxcvbn's 0-4 score of the first `SCORED_CHARACTERS` characters; 0 when common. */
  readonly score: number;
  /** zxcvbn's feedback as keys of its translations (`warnings.*`, `suggestions.*`), for the pages to word in their language. */
  readonly warning?: string;
  readonly suggestions?: readonly string[];
}

interface Pending {
  readonly resolve: (verdict: StrengthVerdict) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

interface Scorer {
  readonly worker: Worker;
  /** Resolves when the dictionaries are loaded. */
  readonly ready: Promise<void>;
}

/**
 * The scorer runs in its own worker thread: scoring never blocks the event loop that answers
 * every other request, and the dictionaries (some 27 MB of heap) live in that thread's heap, not
 * in the main one. The thread starts at the first scoring and stays referenced only while a
 * scoring is pending, so an idle scorer never keeps a process (a CLI command, a test) alive.
 */
export class PasswordStrengthScorer {
  private scorer?: Scorer;
  private sequence = 0;
  private readonly pending = new Map<number, Pending>();
  private idle?: NodeJS.Timeout;

  constructor(private readonly idleMs = SCORER_IDLE_MS) {}

  /** Whether the scorer's thread is up (it starts at a scoring and ends when idle). */
  get running(): boolean {
    return this.scorer !== undefined;
  }

  score(password: string, identity: readonly string[]): Promise<StrengthVerdict> {
    clearTimeout(this.idle);
    const scorer = (this.scorer ??= this.start());
    const id = (this.sequence += 1);
    return new Promise<StrengthVerdict>((resolve, reject) => {
      const entry: Pending = { resolve, reject };
      this.pending.set(id, entry);
      scorer.worker.ref();
      scorer.worker.postMessage({ id, password: password.slice(0, 4 * SCORED_CHARACTERS), identity });
      void scorer.ready.then(() => {
        if (this.pending.get(id) === entry) entry.timer = setTimeout(() => void this.stop(new ScorerUnavailableError()), SCORING_BUDGET_MS);
      });
    });
  }

  /** Ends the thread; pending scorings fail with 503. */
  async close(): Promise<void> {
    await this.stop(new ScorerUnavailableError());
  }

  private start(): Scorer {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        scored: SCORED_CHARACTERS,
        modules: ['@zxcvbn-ts/core', '@zxcvbn-ts/language-common', '@zxcvbn-ts/language-en'].map((name) => require.resolve(name)),
      },
      // A small young generation: the dictionaries live in the old one, and each scoring allocates little (55 MB resident instead of 85).
      resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 2 },
    });
    worker.unref();
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    worker.on('message', ({ id, common, score, warning, suggestions }: { id: number } & StrengthVerdict) => {
      if (id === 0) return markReady();
      const entry = this.pending.get(id);
      if (!entry) return;
      this.pending.delete(id);
      clearTimeout(entry.timer);
      if (this.pending.size === 0) {
        worker.unref();
        this.idle = setTimeout(() => void this.stop(new ScorerUnavailableError()), this.idleMs).unref();
      }
      entry.resolve({ common, score, warning: warning ?? undefined, suggestions: suggestions ?? [] });
    });
    worker.on('error', (error) => void this.stop(error));
    worker.on('exit', () => {
      // A thread that `stop` ended has already failed its scorings; those pending now belong to its successor.
      if (this.scorer?.worker !== worker) return;
      this.scorer = undefined;
      this.failPending(new ScorerUnavailableError());
    });
    return { worker, ready };
  }

  private async stop(error: Error): Promise<void> {
    clearTimeout(this.idle);
    const scorer = this.scorer;
    this.scorer = undefined;
    this.failPending(error instanceof DomainError ? error : new ScorerUnavailableError());
    if (scorer) await scorer.worker.terminate();
  }

  private failPending(error: Error): void {
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      clearTimeout(entry.timer);
      entry.reject(error);
    }
  }
}

/** The scorer's thread failed or ran out of time: answered as 503 UNAVAILABLE, the password is neither taken nor refused. */
export class ScorerUnavailableError extends DomainError {
  constructor() {
    super('UNAVAILABLE', 'The password could not be checked just now. Try again in a moment.');
  }
}

/** The thread's code, plain CommonJS so that it runs the same from `dist/` and under ts-jest. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const [core, common, english] = workerData.modules.map((path) => require(path));
// Feedback comes back as the keys of the translations: the pages word them in their own language.
const keysOf = (group) => Object.fromEntries(Object.keys(group).map((key) => [key, key]));
const zxcvbn = new core.ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...english.dictionary },
  graphs: common.adjacencyGraphs,
  translations: { ...english.translations, warnings: keysOf(english.translations.warnings), suggestions: keysOf(english.translations.suggestions) },
});
const commonPasswords = new Set(common.dictionary['passwords-common'].map((word) => word.toLowerCase()));
parentPort.postMessage({ id: 0 });
parentPort.on('message', ({ id, password, identity }) => {
  const isCommon = commonPasswords.has(password.toLowerCase());
  const result = isCommon ? undefined : zxcvbn.check([...password].slice(0, workerData.scored).join(''), identity);
  parentPort.postMessage({
    id,
    common: isCommon,
    score: result ? result.score : 0,
    warning: isCommon ? 'common' : result.feedback.warning || null,
    suggestions: result ? result.feedback.suggestions : [],
  });
});
`;
