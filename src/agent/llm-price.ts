import type { LlmRate } from '../config/app-config.js';

/**
 * The rate of a chat model on the card: its exact name, else the longest listed name it starts with (a dated
 * snapshot such as `gpt-4o-mini-2024-07-18` is priced as `gpt-4o-mini`); undefined when the card has none.
 */
export function llmRateFor(card: Readonly<Record<string, LlmRate>>, model: string): LlmRate | undefined {
  if (card[model]) return card[model];
  const prefix = Object.keys(card)
    .filter((name) => model.startsWith(`${name}-`))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? card[prefix] : undefined;
}

/** USD of a number of tokens at a price per million, rounded to the ledger's 6 decimals. */
export function priceTokens(tokens: number, usdPerMillion: number): number {
  return Number(((Math.max(0, tokens) * usdPerMillion) / 1e6).toFixed(6));
}
