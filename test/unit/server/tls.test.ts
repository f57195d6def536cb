// TLS: 1.2 as the floor, client-certificate verification (--client-ca), and certificate rotation on disk
// (the way a Kubernetes Secret volume swaps files) picked up without a restart and without failed requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect, createServer as createTlsServer, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { Agent } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, type CertificateAuthority } from '../../../src/server/certificates.js';
import { issueCertificate } from '../../support/pki.js';
import { calicoNodeDaemonSet, review } from '../../support/reviews.js';
import { responseOf, send, startTestServer, tempDir } from '../../support/server.js';
import { eventually } from '../../support/wait.js';
import { spawnWebhook } from '../../support/child.js';

/** The outcome of one handshake: the protocol, or the error code. */
function handshake(port: number, options: ConnectionOptions): Promise<{ protocol?: string | null; error?: string; cert?: PeerCertificate }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => {
      const result = { protocol: socket.getProtocol(), cert: socket.getPeerCertificate() };
      socket.destroy();
      resolve(result);
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('handshake timed out')));
    socket.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

const TLS11: ConnectionOptions = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' };

test('TLS 1.2 is the minimum: a TLS 1.1 client is refused, 1.2 and 1.3 work', async (t) => {
  const server = await startTestServer(t);
  const port = server.running.port;
  // Control: this client can speak TLS 1.1 to a server that allows it, so its failure below is the webhook's doing.
  const lax = createTlsServer({ cert: readFileSync(server.files.certPath), key: readFileSync(server.files.keyPath), minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, (s) => s.end());
  await new Promise<void>((resolve) => lax.listen(0, '127.0.0.1', resolve));
  t.after(() => lax.close());
  const control = await handshake((lax.address() as AddressInfo).port, { ...TLS11, ca: server.ca });
  assert.equal(control.protocol, 'TLSv1.1', `control handshake: ${control.error ?? ''}`);

  const old = await handshake(port, { ...TLS11, ca: server.ca });
  assert.equal(old.protocol, undefined);
  assert.match(old.error ?? '', /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|VERSION/i);

  assert.equal((await handshake(port, { ca: server.ca, maxVersion: 'TLSv1.2' })).protocol, 'TLSv1.2');
  assert.equal((await handshake(port, { ca: server.ca })).protocol, 'TLSv1.3');
  const reply = await send(server.url, '/mutate', review(calicoNodeDaemonSet(), { uid: 'tls12' }), { ca: server.ca });
  assert.equal(reply.status, 200);
});

async function clientPki(dir: string): Promise<{ caPath: string; ca: CertificateAuthority; cert: string; key: string; strangerCert: string; strangerKey: string }> {
  const ca = await createCertificateAuthority('test API server client CA');
  const issued = await issueCertificate(ca, { commonName: 'kube-apiserver', client: true });
  const stranger = await issueCertificate(await createCertificateAuthority('some other CA'), { commonName: 'kube-apiserver', client: true });
  mkdirSync(dir, { recursive: true });
  const caPath = join(dir, 'client-ca.crt');
  writeFileSync(caPath, ca.certPem);
  return { caPath, ca, cert: issued.certPem, key: issued.keyPem, strangerCert: stranger.certPem, strangerKey: stranger.keyPem };
}

test('--client-ca: reviews need a client certificate from that CA; probes do not', async (t) => {
  const pki = await clientPki(tempDir(t));
  const server = await startTestServer(t, { clientCaPath: pki.caPath });
  const body = review(calicoNodeDaemonSet(), { uid: 'mtls' });

  const anonymous = await send(server.url, '/mutate', body, { ca: server.ca });
  assert.equal(anonymous.status, 403);
  assert.match(responseOf(anonymous).status?.message ?? '', /client certificate .* required \(none was presented\)/);

  const stranger = await send(server.url, '/validate', body, { ca: server.ca, cert: pki.strangerCert, key: pki.strangerKey });
  assert.equal(stranger.status, 403);
  assert.match(responseOf(stranger).status?.message ?? '', /client CA is required \(.+\)/);

  const apiServer = await send(server.url, '/mutate', body, { ca: server.ca, cert: pki.cert, key: pki.key });
  assert.equal(apiServer.status, 200);
  assert.equal(responseOf(apiServer).uid, 'mtls');
  assert.equal(responseOf(apiServer).patchType, 'JSONPatch');

  // kubelet probes and Prometheus carry no client certificate.
  assert.equal((await send(server.url, '/healthz', undefined, { ca: server.ca })).status, 200);
  assert.equal((await send(server.url, '/readyz', undefined, { ca: server.ca })).status, 200);
  assert.equal((await send(server.url, '/metrics', undefined, { ca: server.ca })).status, 200);
});

test('without --client-ca, any client may call', async (t) => {
  const server = await startTestServer(t);
  const reply = await send(server.url, '/mutate', review(calicoNodeDaemonSet(), { uid: 'open' }), { ca: server.ca });
  assert.equal(reply.status, 200);
});

test('serve --client-ca works from the command line, with a self-signed serving certificate', async (t) => {
  const pki = await clientPki(tempDir(t));
  const webhook = await spawnWebhook(t, ['--client-ca', pki.caPath]);
  const body = review(calicoNodeDaemonSet(), { uid: 'cli-mtls' });
  assert.equal((await send(webhook.url, '/mutate', body, { ca: webhook.ca })).status, 403);
  const ok = await send(webhook.url, '/mutate', body, { ca: webhook.ca, cert: pki.cert, key: pki.key });
  assert.equal(ok.status, 200);
  assert.equal(responseOf(ok).uid, 'cli-mtls');
});

/**
 * A Secret volume: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>; an update writes a new
 * timestamped folder and renames a new ..data link over the old one, so both files change at once.
 */
function secretVolume(root: string) {
  let generation = 0;
  const publish = (cert: string, key: string): void => {
    const folder = `..gen_${++generation}`;
    mkdirSync(join(root, folder), { recursive: true });
    writeFileSync(join(root, folder, 'tls.crt'), cert);
    writeFileSync(join(root, folder, 'tls.key'), key);
    symlinkSync(folder, join(root, '..data_tmp'));
    renameSync(join(root, '..data_tmp'), join(root, '..data'));
    if (generation > 1) rmSync(join(root, `..gen_${generation - 1}`), { recursive: true, force: true });
  };
  return {
    certPath: join(root, 'tls.crt'),
    keyPath: join(root, 'tls.key'),
    init(cert: string, key: string): void {
      mkdirSync(root, { recursive: true });
      publish(cert, key);
      symlinkSync('..data/tls.crt', join(root, 'tls.crt'));
      symlinkSync('..data/tls.key', join(root, 'tls.key'));
    },
    publish,
  };
}

interface Loop {
  stop(): Promise<{ ok: number; failed: string[] }>;
}

/** Reviews back to back until stopped (at most `maxMs`), on a keep-alive agent and on new connections. */
function requestLoop(url: string, ca: string, maxMs = 30_000): Loop {
  let running = true;
  let ok = 0;
  const failed: string[] = [];
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 2, ca });
  const deadline = Date.now() + maxMs;
  const body = review(calicoNodeDaemonSet(), { uid: 'loop' });
  const worker = async (agent: Agent | false) => {
    while (running && Date.now() < deadline) {
      try {
        const reply = await send(url, '/mutate', body, { ca, agent });
        if (reply.status === 200 && responseOf(reply).patchType === 'JSONPatch') ok++;
        else failed.push(`HTTP ${reply.status}`);
      } catch (error) {
        failed.push((error as Error).message);
      }
    }
  };
  const workers = [worker(keepAlive), worker(keepAlive), worker(false)];
  return {
    async stop() {
      running = false;
      await Promise.all(workers);
      keepAlive.destroy();
      return { ok, failed };
    },
  };
}

test('certificate rotation on disk is picked up without restart, with no failed request', async (t) => {
  const dir = tempDir(t);
  const ca = await createCertificateAuthority('rotating CA');
  const caPem = ca.certPem;
  const serving = () => issueCertificate(ca, { commonName: 'calico-ipv6-webhook', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const volume = secretVolume(join(dir, 'secret-volume'));
  const first = await serving();
  volume.init(first.certPem, first.keyPem);
  const server = await startTestServer(t, { tls: { certPath: volume.certPath, keyPath: volume.keyPath }, reloadIntervalMs: 100 });
  const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;
  const port = server.running.port;

  assert.equal((await handshake(port, { ca: caPem })).cert?.fingerprint256, fingerprint(first.certPem));
  const loop = requestLoop(server.url, caPem);
  await new Promise((resolve) => setTimeout(resolve, 300));

  let current = first;
  for (let round = 0; round < 3; round++) {
    const next = await serving();
    assert.notEqual(fingerprint(next.certPem), fingerprint(current.certPem));
    volume.publish(next.certPem, next.keyPem);
    await eventually(async () => {
      assert.equal((await handshake(port, { ca: caPem })).cert?.fingerprint256, fingerprint(next.certPem), `round ${round}: new handshakes see the new certificate`);
    }, 5000, 50);
    current = next;
  }

  // In-place rewrites, certificate first and key a moment later (the pair mismatches in between).
  const inPlace = await serving();
  const target = join(dir, 'secret-volume', '..data');
  writeFileSync(join(target, 'tls.crt'), inPlace.certPem);
  await new Promise((resolve) => setTimeout(resolve, 250));
  writeFileSync(join(target, 'tls.key'), inPlace.keyPem);
  await eventually(async () => {
    assert.equal((await handshake(port, { ca: caPem })).cert?.fingerprint256, fingerprint(inPlace.certPem));
  }, 5000, 50);

  await new Promise((resolve) => setTimeout(resolve, 300));
  const { ok, failed } = await loop.stop();
  assert.deepEqual(failed, [], 'no request failed during rotation');
  assert.ok(ok >= 20, `the loop ran (${ok} reviews)`);
  const metrics = (await send(server.url, '/metrics', undefined, { ca: caPem })).text;
  assert.match(metrics, /calico_ipv6_webhook_reloads_total\{what="tls",result="ok"\} [4-9]/);
  // The expiry the alerts watch is the certificate now served, not the first one.
  const expiry = Number(/^calico_ipv6_webhook_certificate_expiry_timestamp_seconds (\S+)$/m.exec(metrics)?.[1]);
  assert.equal(expiry, new X509Certificate(inPlace.certPem).validToDate.getTime() / 1000);
});

test('a broken certificate file keeps the previous certificate and counts an error', async (t) => {
  const server = await startTestServer(t, { reloadIntervalMs: 100 });
  const before = (await handshake(server.running.port, { ca: server.ca })).cert?.fingerprint256;
  writeFileSync(server.files.certPath, '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
  await eventually(async () => {
    const metrics = (await send(server.url, '/metrics', undefined, { ca: server.ca })).text;
    assert.match(metrics, /calico_ipv6_webhook_reloads_total\{what="tls",result="error"\} [1-9]/);
  }, 5000, 100);
  assert.equal((await handshake(server.running.port, { ca: server.ca })).cert?.fingerprint256, before);
  assert.equal((await send(server.url, '/mutate', review(calicoNodeDaemonSet(), { uid: 'still' }), { ca: server.ca })).status, 200);
});
