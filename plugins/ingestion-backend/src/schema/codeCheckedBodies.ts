type Document = {
  paths: Record<string, Record<string, unknown>>;
};

type Operation = {
  requestBody?: {
    'x-checked-in-code'?: boolean;
    content?: Record<string, { schema?: unknown }>;
  };
};

/**
 * The document as the request validator and the unknown-field check should see it: the request
 * bodies marked `x-checked-in-code` (organizations, connections) stay described in full for
 * readers and generated tests, but are only required to be JSON objects here. Their services
 * check them after the caller's right to make the change, with messages that name each field in
 * the form config uses (`roles.admin[0]: ...`, `bootstrapServers[1]: must be host:port`), which
 * the validator would otherwise answer first, and differently.
 */
export function withCodeCheckedBodiesAsObjects<T extends Document>(
  document: T,
): T {
  const paths = Object.fromEntries(
    Object.entries(document.paths).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item).map(([method, value]) => {
          const body = (value as Operation | undefined)?.requestBody;
          if (!body?.['x-checked-in-code']) {
            return [method, value];
          }
          const content = Object.fromEntries(
            Object.entries(body.content ?? {}).map(([type, media]) => [
              type,
              { ...media, schema: { type: 'object' } },
            ]),
          );
          return [
            method,
            { ...(value as object), requestBody: { ...body, content } },
          ];
        }),
      ),
    ]),
  );
  return { ...document, paths };
}
