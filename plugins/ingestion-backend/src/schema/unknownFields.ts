import { InputError } from '@backstage/errors';
import type { RequestHandler } from 'express';

type Operation = {
  requestBody?: {
    content?: Record<
      string,
      { schema?: { additionalProperties?: boolean; properties?: object } }
    >;
  };
};

/**
 * Names unknown body fields before the OpenAPI validator runs: its message ("must NOT have
 * additional properties") does not say which field, and a caller needs that to fix the request.
 */
export function rejectUnknownBodyFields(document: {
  paths: Record<string, Record<string, unknown>>;
}): RequestHandler {
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).flatMap(([method, operation]) => {
      const schema = (operation as Operation).requestBody?.content?.[
        'application/json'
      ]?.schema;
      if (schema?.additionalProperties !== false || !schema.properties) {
        return [];
      }
      const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      return [
        {
          method: method.toUpperCase(),
          pattern,
          allowed: Object.keys(schema.properties),
        },
      ];
    }),
  );

  return (req, _res, next) => {
    const body = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      next();
      return;
    }
    const operation = operations.find(
      op => op.method === req.method && op.pattern.test(req.path),
    );
    const unknown = operation
      ? Object.keys(body).filter(key => !operation.allowed.includes(key))
      : [];
    if (unknown.length > 0) {
      next(
        new InputError(
          `${unknown
            .map(key => `${key}: unknown field`)
            .join('; ')} (allowed: ${operation!.allowed.join(', ')})`,
        ),
      );
      return;
    }
    next();
  };
}
