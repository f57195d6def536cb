// Certificates only tests need: client certificates (the API server's identity, an e2e admin), short
// lifetimes, an organization, and bare key pairs for service-account tokens. They are issued by the
// webhook's own code (src/server/certificates.ts); this adds only the subjects and usages tests ask for.
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import {
  issueCertificate as issue, keyPair, privateKeyPem, type CertificateAuthority, type IssuedCertificate,
} from '../../src/server/certificates.js';

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
  return issue(ca, {
    subject: `CN=${subject.commonName}${subject.organization ? `, O=${subject.organization}` : ''}`,
    ...(subject.dnsNames ? { dnsNames: subject.dnsNames } : {}),
    ...(subject.ipAddresses ? { ipAddresses: subject.ipAddresses } : {}),
    usage: subject.client ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth,
    validDays: subject.days ?? 30,
  });
}

/** A bare key pair as PEM (PKCS#8 private, SPKI public), e.g. for signing service-account tokens. */
export async function generateKeyPairPem(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const keys = await keyPair();
  const spki = await webcrypto.subtle.exportKey('spki', keys.publicKey);
  return { privateKeyPem: await privateKeyPem(keys.privateKey), publicKeyPem: x509.PemConverter.encode(spki, 'PUBLIC KEY') };
}
