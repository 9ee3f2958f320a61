// Starts the two clusters every browser test uses (dc1 and dc2, each serving the page at /ui/) and returns the
// teardown that stops them. Their URLs reach the tests as CLUSTER_DC1_URL and CLUSTER_DC2_URL.

import { buildClasspath, startCluster } from './clusters.js';

export default async function globalSetup() {
  const started = Date.now();
  const classpath = buildClasspath();
  process.env.CLUSTER_CLASSPATH = classpath;
  const clusters = await Promise.all([
    startCluster({ classpath, datacenter: 'dc1' }),
    startCluster({ classpath, datacenter: 'dc2' }),
  ]);
  const stopAll = () => Promise.all(clusters.map((c) => c.stop()));
  // Also on an interrupted run: never leave a JVM behind.
  const onSignal = () => {
    clusters.forEach((c) => { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } });
  };
  process.once('exit', onSignal);
  [process.env.CLUSTER_DC1_URL, process.env.CLUSTER_DC2_URL] = clusters.map((c) => c.url);
  console.log(`clusters: dc1 ${clusters[0].url}, dc2 ${clusters[1].url} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return async () => {
    await stopAll();
    process.removeListener('exit', onSignal);
  };
}
