import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Request, RequestHandler } from 'express';
import type { Knex } from 'knex';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import {
  isResourceKind,
  type OrganizationOfResourceStore,
} from '../ratelimit/OrganizationOfResourceStore';
import { dayOf } from './dates';

const stringField = (value: unknown) =>
  typeof value === 'string' && value.length <= 64 ? value : undefined;

/**
 * Counts each organization's API requests per day (platform usage, billed daily by the cost
 * sampler). A request counts for the organization that owns the resource it addresses by id, else
 * the one it names (`organization` in the query or body), and only when it succeeded: a refused
 * request naming someone else's organization never lands on their bill. Counts are kept in memory
 * and added to the database every few seconds (an atomic increment, so replicas add up).
 */
export class ApiUsageCounter {
  readonly #pending = new Map<string, number>();
  #timer?: NodeJS.Timeout;

  constructor(
    private readonly options: {
      knex: Knex;
      directory: Pick<OrganizationDirectory, 'find'>;
      resources: Pick<OrganizationOfResourceStore, 'organizationOf'>;
      logger: LoggerService;
      flushMs?: number;
      now?: () => Date;
    },
  ) {}

  private async organizationOf(req: Request): Promise<string | undefined> {
    const match = /^\/([a-z]+)\/([^/?]+)/.exec(req.path);
    if (match && isResourceKind(match[1])) {
      try {
        const owner = await this.options.resources.organizationOf(
          match[1],
          decodeURIComponent(match[2]),
        );
        if (owner) return owner;
      } catch {
        // Attribution falls back to the named organization.
      }
    }
    const body = req.body as Record<string, unknown> | undefined;
    return (
      stringField(req.query.organization) ??
      (body && typeof body === 'object' && !Array.isArray(body)
        ? stringField(body.organization)
        : undefined)
    );
  }

  /** Express middleware for `/v1`. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      res.on('finish', () => {
        if (res.statusCode >= 400) return;
        this.organizationOf(req)
          .then(org => {
            if (org && this.options.directory.find(org)) this.count(org);
          })
          .catch(() => undefined);
      });
      next();
    };
  }

  count(organizationId: string, requests = 1) {
    const day = dayOf(this.options.now?.() ?? new Date());
    const key = `${organizationId}\n${day}`;
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + requests);
    if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.flush().catch(error =>
          this.options.logger.warn(`API usage counts not saved: ${error}`),
        );
      }, this.options.flushMs ?? 5000);
      this.#timer.unref();
    }
  }

  /** Adds the counts gathered so far to the database. */
  async flush(): Promise<void> {
    const batch = [...this.#pending];
    this.#pending.clear();
    for (const [key, requests] of batch) {
      const [organizationId, day] = key.split('\n');
      await this.options
        .knex('cost_api_requests')
        .insert({ organization_id: organizationId, day, requests, billed: 0 })
        .onConflict(['organization_id', 'day'])
        .merge({
          requests: this.options.knex.raw('?? + ?', [
            'cost_api_requests.requests',
            requests,
          ]),
        });
    }
  }

  async close() {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
