export type Strategy = 'script_80' | 'free_20';

/**
 * The seed's 80/20 rule: a message that fits the script (score at or above the threshold) gets
 * mostly the stage's scripted lines; anything else a free dialogue on the client's pain with
 * elements of the script.
 */
export function selectStrategy(scriptFitScore: number, threshold: number): Strategy {
  return scriptFitScore >= threshold ? 'script_80' : 'free_20';
}
