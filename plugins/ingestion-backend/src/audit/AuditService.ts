import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { auditReadPermission } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import type { AuditStore } from './AuditStore';
import type { AuditEvent, AuditListQuery } from './types';

/** Reads the audit log for the admins of an organization. */
export class AuditService {
  static create(options: {
    store: AuditStore;
    authorizer: Pick<IngestionAuthorizer, 'authorizeOrganization'>;
  }): AuditService {
    return new AuditService(options.store, options.authorizer);
  }

  private constructor(
    private readonly store: AuditStore,
    private readonly authorizer: Pick<
      IngestionAuthorizer,
      'authorizeOrganization'
    >,
  ) {}

  /**
   * One page of an organization's audit events, newest first. Admins of the organization only
   * (`ingestion.audit.read`): other members get a 403, everyone else a 404; either is itself
   * recorded as a denial.
   */
  async list(
    credentials: BackstageCredentials,
    query: AuditListQuery & { organization: string },
  ): Promise<{ items: AuditEvent[]; nextCursor?: string }> {
    await this.authorizer.authorizeOrganization(
      credentials,
      auditReadPermission,
      query.organization,
    );
    // Authorized for exactly this organization; no other rows can match.
    return this.store.list({ organizationIds: [query.organization] }, query);
  }
}
