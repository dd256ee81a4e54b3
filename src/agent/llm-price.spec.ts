import { describe, expect, it } from 'vitest';
import { llmRateFor, priceTokens } from './llm-price.js';

const card = { 'gpt-4o': { input: 2.5, output: 10 }, 'gpt-4o-mini': { input: 0.15, output: 0.6 } };

describe('LLM prices', () => {
  it('finds a model by its exact name, or a dated snapshot by the longest listed prefix', () => {
    expect(llmRateFor(card, 'gpt-4o')).toEqual({ input: 2.5, output: 10 });
    expect(llmRateFor(card, 'gpt-4o-mini-2024-07-18')).toEqual({ input: 0.15, output: 0.6 });
    expect(llmRateFor(card, 'gpt-4o-2024-08-06')).toEqual({ input: 2.5, output: 10 });
    expect(llmRateFor(card, 'llama-3')).toBeUndefined();
    expect(llmRateFor(card, 'gpt-4omni')).toBeUndefined();
  });

  it('prices tokens per million, to six decimals', () => {
    expect(priceTokens(1_000_000, 0.6)).toBe(0.6);
    expect(priceTokens(1234, 0.15)).toBe(0.000185);
    expect(priceTokens(-5, 1)).toBe(0);
  });
});
