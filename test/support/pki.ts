// Certificates only tests need: client certificates (the API server's identity, an e2e admin), short
// lifetimes, an organization, and bare key pairs for service-account tokens. The webhook itself only
// ever makes a self-signed CA and a serving certificate (src/server/certificates.ts).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import type { CertificateAuthority, IssuedCertificate } from '../../src/server/certificates.js';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

async function pkcs8(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

export interface TestSubject {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  /** A client certificate instead of a serving one. */
  client?: boolean;
  organization?: string;
  days?: number;
}

export async function issueCertificate(ca: CertificateAuthority, subject: TestSubject): Promise<IssuedCertificate> {
  const keys = await keyPair();
  const names = [...(subject.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })), ...(subject.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }))];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
    subject: `CN=${subject.commonName}${subject.organization ? `, O=${subject.organization}` : ''}`,
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + (subject.days ?? 30) * 86_400_000),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([subject.client ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth]),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await pkcs8(keys.privateKey) };
}

/** A bare key pair as PEM (PKCS#8 private, SPKI public), e.g. for signing service-account tokens. */
export async function generateKeyPairPem(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const keys = await keyPair();
  const spki = await webcrypto.subtle.exportKey('spki', keys.publicKey);
  return { privateKeyPem: await pkcs8(keys.privateKey), publicKeyPem: x509.PemConverter.encode(spki, 'PUBLIC KEY') };
}
