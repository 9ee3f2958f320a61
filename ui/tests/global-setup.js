// Starts the clusters the browser tests use and returns the teardown that stops them: dc1 and dc2 with ACLs off
// (the workflow), and a third, also datacenter dc1, with ACLs on and default deny, as a deployed stack has them
// (the login). Each serves the page at /ui/. Their URLs reach the tests as CLUSTER_DC1_URL, CLUSTER_DC2_URL and
// CLUSTER_ACL_URL. They start side by side.

import { buildClasspath, startCluster } from './clusters.js';

export default async function globalSetup() {
  const started = Date.now();
  const classpath = buildClasspath();
  process.env.CLUSTER_CLASSPATH = classpath;
  const clusters = await Promise.all([
    startCluster({ classpath, datacenter: 'dc1' }),
    startCluster({ classpath, datacenter: 'dc2' }),
    startCluster({ classpath, datacenter: 'dc1', name: 'dc1-acl',
      env: { PEERING_ACL_ENABLED: 'true', PEERING_ACL_DEFAULT_POLICY: 'deny' } }),
  ]);
  const stopAll = () => Promise.all(clusters.map((c) => c.stop()));
  // Also on an interrupted run: never leave a JVM behind.
  const onSignal = () => {
    clusters.forEach((c) => { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } });
  };
  process.once('exit', onSignal);
  [process.env.CLUSTER_DC1_URL, process.env.CLUSTER_DC2_URL, process.env.CLUSTER_ACL_URL] = clusters.map((c) => c.url);
  console.log(`clusters: dc1 ${clusters[0].url}, dc2 ${clusters[1].url}, dc1 with ACLs ${clusters[2].url} `
    + `(ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return async () => {
    await stopAll();
    process.removeListener('exit', onSignal);
  };
}
