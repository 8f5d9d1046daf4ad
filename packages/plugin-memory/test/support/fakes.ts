import type {
  BudgetStatus,
  ChatRequest,
  ChatResult,
  Llm,
  StructuredRequest,
  StructuredResult,
  VectorDocument,
  VectorMatch,
  VectorStore,
} from '@botloom/core';

/** Bag-of-words cosine similarity: enough to tell related texts from unrelated ones in unit tests. */
function vectorOf(text: string): Map<string, number> {
  const v = new Map<string, number>();
  for (const w of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) v.set(w, (v.get(w) ?? 0) + 1);
  return v;
}
function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [k, x] of a) {
    na += x * x;
    dot += x * (b.get(k) ?? 0);
  }
  for (const x of b.values()) nb += x * x;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** An exact in-memory VectorStore for service unit tests (e2e tests use core's real one). */
export class InMemoryVectorStore implements VectorStore {
  readonly namespaces = new Map<string, Map<string, VectorDocument>>();
  async add(namespace: string, documents: VectorDocument[]) {
    const ns = this.namespaces.get(namespace) ?? new Map();
    for (const d of documents) ns.set(d.id, d);
    this.namespaces.set(namespace, ns);
  }
  async search(namespace: string, query: string, options: { k?: number; minScore?: number } = {}) {
    const q = vectorOf(query);
    const out: VectorMatch[] = [];
    for (const d of this.namespaces.get(namespace)?.values() ?? []) {
      const score = cosine(q, vectorOf(d.text));
      if (score >= (options.minScore ?? -1)) out.push({ ...d, score });
    }
    return out.sort((a, b) => b.score - a.score).slice(0, options.k ?? 4);
  }
  async delete(namespace: string, ids: string[]) {
    for (const id of ids) this.namespaces.get(namespace)?.delete(id);
  }
  async deleteNamespace(namespace: string) {
    this.namespaces.delete(namespace);
  }
  async count(namespace: string) {
    return this.namespaces.get(namespace)?.size ?? 0;
  }
}

/** A scripted Llm: records every request; `fail` makes the next calls throw. */
export class ScriptedLlm implements Llm {
  readonly offline = false;
  readonly requests: ChatRequest[] = [];
  fail: Error | null = null;
  reply: (request: ChatRequest) => string = (r) => `echo: ${r.messages[r.messages.length - 1]?.content}`;
  summary: unknown = { title: 'A title', summary: 'A summary', facts: [] };

  async chat(request: ChatRequest): Promise<ChatResult> {
    this.requests.push(request);
    if (this.fail) throw this.fail;
    return {
      content: this.reply(request),
      model: 'scripted',
      usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
      latencyMs: 1,
      offline: false,
    };
  }
  async structured<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>> {
    this.requests.push(request);
    if (this.fail) throw this.fail;
    return {
      data: request.schema.parse(this.summary),
      model: 'scripted',
      usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
      latencyMs: 1,
      offline: false,
    };
  }
  stream(): never {
    throw new Error('not used');
  }
  async budget(): Promise<BudgetStatus> {
    return { used: 0, limit: null, remaining: null, resetsAt: new Date('2030-01-01T00:00:00Z') };
  }
}

export class CodedError extends Error {
  constructor(
    readonly code: string,
    readonly resetsAt?: Date,
  ) {
    super(code);
  }
}
