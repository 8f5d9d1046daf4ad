import type { VectorStore } from '@botloom/core';

export interface KnowledgePassage {
  text: string;
  /** The passage's topic (a knowledge item's title): shown to the model, never quoted as text. */
  label?: string;
  score: number;
  source: string;
}

/** Where AI replies find their facts (a port: the plugin's own namespace, or support's knowledge). */
export interface KnowledgeSource {
  search(question: string, k: number): Promise<KnowledgePassage[]>;
}

export const INSTAGRAM_KNOWLEDGE_NAMESPACE = 'instagram:knowledge';

/** Knowledge added for the Instagram agent, in core's (encrypted) vector store. */
export class VectorKnowledge implements KnowledgeSource {
  constructor(private readonly vectors: VectorStore) {}

  async add(id: string, text: string): Promise<void> {
    await this.vectors.add(INSTAGRAM_KNOWLEDGE_NAMESPACE, [{ id, text, metadata: { kind: 'knowledge' } }]);
  }

  async remove(id: string): Promise<void> {
    await this.vectors.delete(INSTAGRAM_KNOWLEDGE_NAMESPACE, [id]);
  }

  async search(question: string, k: number): Promise<KnowledgePassage[]> {
    const hits = await this.vectors.search(INSTAGRAM_KNOWLEDGE_NAMESPACE, question, { k });
    return hits.map((h) => ({ text: h.text, score: h.score, source: `instagram:${h.id}` }));
  }
}

/** Searches every source and keeps the best passages overall. */
export class CombinedKnowledge implements KnowledgeSource {
  constructor(private readonly sources: KnowledgeSource[]) {}

  async search(question: string, k: number): Promise<KnowledgePassage[]> {
    const all = await Promise.all(this.sources.map((s) => s.search(question, k).catch(() => [])));
    return all
      .flat()
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
  }
}
