/**
 * Makes the next `parties` calls of `target[method]` wait for each other
 * before returning (or throwing) their own results. Tests use it to force
 * writers onto the same table state instead of relying on timing.
 */
export function holdCallsUntilAllArrive<T extends object>(
  target: T,
  method: keyof T & string,
  parties: number,
): jest.SpyInstance {
  const original = (
    target[method] as (...args: unknown[]) => Promise<unknown>
  ).bind(target);
  let arrived = 0;
  let release: () => void = () => {};
  const gate = new Promise<void>(resolve => {
    release = resolve;
  });
  return jest
    .spyOn(target as any, method)
    .mockImplementation(async (...args: unknown[]) => {
      const settled = await original(...args).then(
        value => ({ ok: true as const, value }),
        error => ({ ok: false as const, error }),
      );
      if (arrived < parties) {
        arrived += 1;
        if (arrived === parties) release();
        await gate;
      }
      if (!settled.ok) throw settled.error;
      return settled.value;
    });
}
