import { createServiceRef } from '@botloom/core';
import type { KnowledgePassage } from './services/knowledge-service.js';

/**
 * Support's knowledge base, read-only, for other plugins: the passages that best answer a
 * question (hybrid vector and lexical score in [0, 1]). No ticket or customer data.
 */
export interface SupportKnowledge {
  search(question: string, k: number): Promise<KnowledgePassage[]>;
}

/**
 * The knowledge base as a service ref. Its own module (`@botloom/plugin-support/refs`), so a
 * plugin can name it as an optional dependency without loading the support desk's code.
 */
export const supportKnowledgeRef = createServiceRef<SupportKnowledge>({
  id: 'support.knowledge',
  owner: 'support',
});
