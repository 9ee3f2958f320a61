// Starts and stops local clusters for the browser tests: the same runtime as the README's run command
// (io.clusterpeering.local.LocalCluster, DynamoDB Local inside the JVM, in memory), started with plain `java` on
// the classpath Maven computes once, each on a free port, from the repository's root so that it serves the
// repository's ui/ at /ui/.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const UI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPOSITORY = path.resolve(UI_DIR, '..');
const CLASSPATH_FILE = path.join(REPOSITORY, 'functions', 'target', 'ui-test-classpath.txt');
export const LOG_DIR = path.join(UI_DIR, 'test-results', 'clusters');

/**
 * Compiles the functions module (a no-op when it is up to date) and writes its runtime classpath, with the
 * local runtime's provided-scope jars (the HTTP server, DynamoDB Local). Returns the java -cp value.
 */
export function buildClasspath() {
  execFileSync('mvn', ['-B', '-q', '-ntp', '-pl', 'functions', 'compile', 'dependency:build-classpath',
    `-Dmdep.outputFile=${CLASSPATH_FILE}`, '-Dmdep.includeScope=compile'], { cwd: REPOSITORY, stdio: 'inherit' });
  const dependencies = fs.readFileSync(CLASSPATH_FILE, 'utf8').trim();
  return [path.join(REPOSITORY, 'functions', 'target', 'classes'), dependencies].join(path.delimiter);
}

/** A free TCP port on 127.0.0.1, chosen by the operating system. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts one cluster and waits until it answers /v1/agent/self (200, or 403 when ACLs are on and refuse the
 * anonymous token). Returns {url, datacenter, stop()}; its output goes to test-results/clusters/<name>.log (name
 * defaults to the datacenter).
 */
export async function startCluster({ classpath, datacenter, name = datacenter, env = {} }) {
  const port = await freePort();
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const log = fs.openSync(path.join(LOG_DIR, `${name}.log`), 'w');
  const child = spawn('java', ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xmx512m', '-cp', classpath,
    'io.clusterpeering.local.LocalCluster'], {
    cwd: REPOSITORY,
    env: {
      ...process.env,
      MICRONAUT_SERVER_PORT: String(port),
      PEERING_DATACENTER: datacenter,
      PEERING_DATA_DIR: ':memory:',
      PEERING_HEARTBEAT_INTERVAL: '1s',
      DDB_LOCAL_TELEMETRY: '0',
      ...env,
    },
    stdio: ['ignore', log, log],
  });
  const url = `http://127.0.0.1:${port}`;
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) {
      throw new Error(`cluster ${name} exited (${JSON.stringify(exited)}); see ${LOG_DIR}/${name}.log`);
    }
    try {
      const response = await fetch(`${url}/v1/agent/self`);
      if (response.ok || response.status === 403) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`cluster ${name} did not answer within 90 s; see ${LOG_DIR}/${name}.log`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  return {
    url,
    datacenter,
    pid: child.pid,
    /** Stops the JVM (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
    stop() {
      if (exited) {
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}
