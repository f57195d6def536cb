// `helm test`: posts an AdmissionReview of a calico-node DaemonSet without IPv6 to the webhook's /mutate
// through its Service, and exits non-zero unless the answer is for this review, allowed, and a JSONPatch
// that sets CALICO_IPV6POOL_CIDR to the chart's config.podCIDR. Run by the webhook image's node (node -e).
const https = require('node:https');
const fs = require('node:fs');
const { REVIEW_URL, POD_CIDR, CA_FILE, CA_BUNDLE } = process.env;
const ca = CA_FILE && fs.existsSync(CA_FILE) ? fs.readFileSync(CA_FILE) : Buffer.from(CA_BUNDLE || '', 'base64');
const uid = `helm-test-${process.pid}-${Date.now()}`;
const gvk = { group: 'apps', version: 'v1', kind: 'DaemonSet' };
const gvr = { group: 'apps', version: 'v1', resource: 'daemonsets' };
const labels = { 'k8s-app': 'calico-node' };
const object = {
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node', namespace: 'kube-system' },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [
    { name: 'calico-node', image: 'docker.io/calico/node:v3.30.3', env: [{ name: 'CALICO_IPV4POOL_CIDR', value: '192.168.0.0/16' }] },
  ] } } },
};
const review = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {
  uid, kind: gvk, resource: gvr, requestKind: gvk, requestResource: gvr, name: 'calico-node', namespace: 'kube-system',
  operation: 'CREATE', userInfo: { username: 'helm-test' }, object, oldObject: null, dryRun: true,
} });
function fail(why) {
  console.error(`helm test failed: ${why}`);
  process.exit(1);
}
const req = https.request(REVIEW_URL, { method: 'POST', ca, timeout: 10000, headers: { 'content-type': 'application/json' } }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk) => { body += chunk; });
  res.on('end', () => {
    if (res.statusCode !== 200) fail(`HTTP ${res.statusCode}: ${body.slice(0, 500)}`);
    let response;
    try { response = JSON.parse(body).response; } catch { fail(`not JSON: ${body.slice(0, 500)}`); }
    if (!response || response.uid !== uid) fail(`the answer is not for review ${uid}: ${body.slice(0, 500)}`);
    if (response.allowed !== true) fail(`not allowed: ${JSON.stringify(response.status)}`);
    if (response.patchType !== 'JSONPatch' || !response.patch) fail(`no JSONPatch in ${body.slice(0, 500)}`);
    const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
    const values = ops.flatMap((op) => (Array.isArray(op.value) ? op.value : [op.value]));
    if (!values.some((v) => v && v.name === 'CALICO_IPV6POOL_CIDR' && v.value === POD_CIDR)) fail(`the patch does not set CALICO_IPV6POOL_CIDR=${POD_CIDR}: ${JSON.stringify(ops)}`);
    console.log(`helm test passed: ${REVIEW_URL} set CALICO_IPV6POOL_CIDR=${POD_CIDR} (review ${uid})`);
  });
});
req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
req.on('error', (err) => fail(err.message));
req.end(review);
