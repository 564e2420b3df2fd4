import { signStreamToken, STREAM_TOKEN_ALG, type StreamClaims } from '@live-casino/protocol';
import { type CryptoKey, importPKCS8 } from 'jose';

/** Signs the short-lived stream tokens the sfu verifies with the matching public key. */
export class StreamTokenIssuer {
  readonly #key: CryptoKey;
  readonly #ttlS: number;

  private constructor(key: CryptoKey, ttlS: number) {
    this.#key = key;
    this.#ttlS = ttlS;
  }

  /** `pem`: the Ed25519 PKCS#8 private key itself (readPem reads STREAM_TOKEN_PRIVATE_KEY). */
  static async create(pem: string, ttlS: number): Promise<StreamTokenIssuer> {
    const key = await importPKCS8(pem, STREAM_TOKEN_ALG).catch(() => {
      throw new Error('STREAM_TOKEN_PRIVATE_KEY is not an Ed25519 PKCS#8 PEM private key');
    });
    return new StreamTokenIssuer(key, ttlS);
  }

  async issue(claims: StreamClaims): Promise<{ token: string; expiresAt: number }> {
    const expiresAt = Date.now() + this.#ttlS * 1000;
    return { token: await signStreamToken(this.#key, claims, this.#ttlS), expiresAt };
  }
}
