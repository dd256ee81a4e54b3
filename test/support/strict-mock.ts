import { vi, type Mock } from 'vitest';

type Methods<T> = { [K in keyof T]?: T[K] extends (...args: infer A) => infer R ? (...args: A) => R : never };

/**
 * A stand-in for a dependency that fails on any call the test did not declare (Immich's strict mocks): the
 * declared methods are spies, and touching anything else throws, so a unit under test cannot quietly call more
 * than the test expects.
 */
export function strictMock<T extends object>(name: string, methods: Methods<T>): T & { [K in keyof T]: Mock } {
  const spies = Object.fromEntries(Object.entries(methods).map(([key, fn]) => [key, vi.fn(fn as (...args: unknown[]) => unknown)]));
  return new Proxy(spies, {
    get(target, property) {
      if (typeof property === 'string' && property in target) return target[property];
      // Promise resolution and vitest's pretty-printer probe these; they are not calls of the dependency.
      if (property === 'then' || typeof property === 'symbol' || property === 'asymmetricMatch' || property === 'nodeType' || property === '$$typeof')
        return undefined;
      throw new Error(`Unexpected use of ${name}.${String(property)}`);
    },
  }) as unknown as T & { [K in keyof T]: Mock };
}
