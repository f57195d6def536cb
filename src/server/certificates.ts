// X.509 for the server: a throwaway CA and serving certificate when none is given, so `serve` works at
// once. ECDSA P-256 through WebCrypto (@peculiar/x509): fast to generate, accepted by Go's TLS stack.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

// Node's global WebCrypto (the same object as node:crypto's webcrypto).
x509.cryptoProvider.set(globalThis.crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** A year: the self-signed pair is for trying the webhook out; a cluster gets its certificate from cert-manager. */
const VALID_DAYS = 365;

export interface CertificateAuthority {
  certPem: string;
  keys: CryptoKeyPair;
  cert: x509.X509Certificate;
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

/** A fresh ECDSA P-256 key pair, extractable so it can be written out as PEM. */
export async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

export async function createCertificateAuthority(commonName: string): Promise<CertificateAuthority> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + VALID_DAYS * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keys, cert };
}

export interface SubjectNames {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
}

/** What an issued certificate says besides its key: who it names, what it is for, how long it lasts. */
export interface CertificateRequest {
  /** The subject as a distinguished name, e.g. `CN=calico-ipv6-webhook`. */
  subject: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  /** The extended key usage (an x509.ExtendedKeyUsage value: serverAuth or clientAuth). */
  usage: string;
  validDays: number;
}

/** A leaf certificate signed by the CA, with a new key. */
export async function issueCertificate(ca: CertificateAuthority, request: CertificateRequest): Promise<IssuedCertificate> {
  const keys = await keyPair();
  const names = [...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })), ...(request.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }))];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: request.subject,
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + request.validDays * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([request.usage]),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/** A serving certificate signed by the CA, for the names given. */
async function issueServingCertificate(ca: CertificateAuthority, subject: SubjectNames): Promise<IssuedCertificate> {
  const { commonName, ...names } = subject;
  return issueCertificate(ca, { subject: `CN=${commonName}`, ...names, usage: x509.ExtendedKeyUsage.serverAuth, validDays: VALID_DAYS });
}

export interface WrittenServingFiles {
  caPath: string;
  certPath: string;
  keyPath: string;
  caPem: string;
}

/** A CA and a serving certificate for localhost, 127.0.0.1 and ::1, written as PEM files into dir. */
export async function writeSelfSignedServing(dir: string): Promise<WrittenServingFiles> {
  const ca = await createCertificateAuthority('calico-ipv6-webhook self-signed CA');
  const serving = await issueServingCertificate(ca, { commonName: 'calico-ipv6-webhook', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = { caPath: join(dir, 'ca.crt'), certPath: join(dir, 'tls.crt'), keyPath: join(dir, 'tls.key') };
  writeFileSync(files.caPath, ca.certPem);
  writeFileSync(files.certPath, serving.certPem);
  writeFileSync(files.keyPath, serving.keyPem, { mode: 0o600 });
  return { ...files, caPem: ca.certPem };
}
