import {
  createCipheriv,
  createDecipheriv,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import type { MasterKeyRing } from './masterKeys';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** A secret encrypted at rest, as stored in a `connections` row. */
export interface EncryptedSecret {
  /** base64 */
  ciphertext: string;
  /** base64 of the 12-byte GCM nonce */
  iv: string;
  /** base64 of the 16-byte GCM authentication tag */
  tag: string;
  /** Id of the master key the organization's data key was derived from. */
  keyId: string;
}

/** What a ciphertext is bound to: decrypting it anywhere else fails. */
export interface SecretBinding {
  organizationId: string;
  connectionId: string;
}

/**
 * A secret that could not be decrypted: the master key it names is not configured, or the row was
 * tampered with or copied to another organization or connection. Carries no secret material.
 */
export class SecretDecryptionError extends Error {
  name = 'SecretDecryptionError';
}

/** HKDF `info` of an organization's data key. */
export function dataKeyInfo(organizationId: string): string {
  return `ingestion-connections:${organizationId}`;
}

function associatedData(binding: SecretBinding): Buffer {
  // JSON keeps the two ids unambiguous whatever characters they hold.
  return Buffer.from(
    JSON.stringify([
      'ingestion-connections/v1',
      binding.organizationId,
      binding.connectionId,
    ]),
    'utf8',
  );
}

/**
 * AES-256-GCM with a per-organization data key: HKDF-SHA256(master key, info =
 * `ingestion-connections:<orgId>`), a random 12-byte IV per encryption, and associated data that
 * binds each ciphertext to its organization and connection id.
 */
export class SecretCipher {
  private readonly dataKeys = new Map<string, Buffer>();

  constructor(private readonly keyRing: MasterKeyRing) {}

  /** Id of the master key new secrets are encrypted under. */
  get currentKeyId(): string {
    return this.keyRing.currentKeyId;
  }

  encrypt(plaintext: string, binding: SecretBinding): EncryptedSecret {
    const keyId = this.keyRing.currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(
      ALGORITHM,
      this.dataKey(keyId, binding.organizationId),
      iv,
      { authTagLength: TAG_BYTES },
    );
    cipher.setAAD(associatedData(binding));
    const ciphertext = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
    ]);
    return {
      ciphertext: ciphertext.toString('base64'),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      keyId,
    };
  }

  decrypt(secret: EncryptedSecret, binding: SecretBinding): string {
    if (!this.keyRing.keys.has(secret.keyId)) {
      throw new SecretDecryptionError(
        `Secret of connection '${binding.connectionId}' is encrypted under master key '${secret.keyId}', which is not configured`,
      );
    }
    const iv = Buffer.from(secret.iv, 'base64');
    const tag = Buffer.from(secret.tag, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new SecretDecryptionError(
        `Secret of connection '${binding.connectionId}' is malformed`,
      );
    }
    try {
      const decipher = createDecipheriv(
        ALGORITHM,
        this.dataKey(secret.keyId, binding.organizationId),
        iv,
        { authTagLength: TAG_BYTES },
      );
      decipher.setAAD(associatedData(binding));
      decipher.setAuthTag(tag);
      return Buffer.concat([
        decipher.update(Buffer.from(secret.ciphertext, 'base64')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      // Deliberately no cause: OpenSSL's message adds nothing and nothing secret may leak.
      throw new SecretDecryptionError(
        `Secret of connection '${binding.connectionId}' could not be decrypted: it was altered or does not belong to organization '${binding.organizationId}'`,
      );
    }
  }

  private dataKey(keyId: string, organizationId: string): Buffer {
    const cacheKey = JSON.stringify([keyId, organizationId]);
    let key = this.dataKeys.get(cacheKey);
    if (!key) {
      const master = this.keyRing.keys.get(keyId);
      if (!master) {
        throw new SecretDecryptionError(
          `Master key '${keyId}' is not configured`,
        );
      }
      key = Buffer.from(
        hkdfSync(
          'sha256',
          master,
          Buffer.alloc(0),
          dataKeyInfo(organizationId),
          KEY_BYTES,
        ),
      );
      this.dataKeys.set(cacheKey, key);
    }
    return key;
  }
}
