import type { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import type { ConnectionsService } from './ConnectionsService';
import {
  createConnectionSchema,
  listConnectionsQuerySchema,
  parseInput,
  reencryptSchema,
  rotateConnectionSchema,
} from './schema';

/**
 * Routes of `/v1/connections`, mounted by the plugin's router (which parses JSON and maps errors).
 * Handlers parse input and delegate to the service; secrets are write-only.
 */
export function createConnectionsRouter(options: {
  httpAuth: HttpAuthService;
  connections: ConnectionsService;
}): express.Router {
  const { httpAuth, connections } = options;
  const router = Router();
  const credentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  router.get('/', async (req, res) => {
    const credentials = await credentialsOf(req);
    const query = parseInput(listConnectionsQuerySchema, req.query, 'query');
    res.json(await connections.list(credentials, query));
  });

  router.post('/', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = parseInput(createConnectionSchema, req.body, 'connection');
    res.status(201).json(await connections.create(credentials, body));
  });

  router.post('/reencrypt', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = parseInput(reencryptSchema, req.body, 'request');
    res.json(await connections.reencrypt(credentials, body.organization));
  });

  router.get('/:id', async (req, res) => {
    const credentials = await credentialsOf(req);
    res.json(await connections.get(credentials, req.params.id));
  });

  router.post('/:id/rotate', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = parseInput(rotateConnectionSchema, req.body, 'rotation');
    res.json(await connections.rotate(credentials, req.params.id, body));
  });

  router.post('/:id/test', async (req, res) => {
    const credentials = await credentialsOf(req);
    res.json(await connections.test(credentials, req.params.id));
  });

  router.delete('/:id', async (req, res) => {
    const credentials = await credentialsOf(req);
    await connections.delete(credentials, req.params.id);
    res.status(204).end();
  });

  return router;
}
