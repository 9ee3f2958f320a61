package io.clusterpeering.bench;

import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.support.AclFlow;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.PeeringFlow;
import org.HdrHistogram.Histogram;

import java.net.http.HttpResponse;
import java.util.Map;

/**
 * What an ACL check adds to a warm read: two local clusters over the same DynamoDB Local, one with ACLs off and
 * one with ACLs on (default deny, a read-only token on every call), each answering {@code GET /v1/peering/<name>}
 * through HTTP; the reads alternate between the two so that both see the same machine load. Prints p50 and p99
 * of each and the ratio. A benchmark, not a test:
 * <pre>
 * mvn -q -pl functions test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.clusterpeering.bench.AclCheckBenchmark [-Dexec.args=2000]
 * </pre>
 */
public final class AclCheckBenchmark {
    private AclCheckBenchmark() {
    }

    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        try (LocalCluster open = PeeringFlow.startCluster("dc1");
             LocalCluster closed = AclFlow.startCluster("dc2", "deny", Map.of())) {
            ConsulHttp withoutAcls = PeeringFlow.client(open).withToken(null);
            ConsulHttp management = PeeringFlow.client(closed).withToken(AclFlow.bootstrap(PeeringFlow.client(closed)));
            ConsulHttp withAcls = management.withToken(AclFlow.secret(management, "peering = \"read\""));
            PeeringFlow.generate(withoutAcls, "bench");
            PeeringFlow.generate(management, "bench");
            Histogram off = new Histogram(3);
            Histogram on = new Histogram(3);
            for (int i = 0; i < samples / 5; i++) {
                time(withoutAcls, null);
                time(withAcls, null);
            }
            for (int i = 0; i < samples; i++) {
                time(withoutAcls, off);
                time(withAcls, on);
            }
            System.out.printf("warm GET /v1/peering/bench through HTTP, %d samples each, alternating:%n", samples);
            System.out.printf("  ACLs off: p50 %.2f ms  p99 %.2f ms%n", off.getValueAtPercentile(50) / 1e3,
                    off.getValueAtPercentile(99) / 1e3);
            System.out.printf("  ACLs on:  p50 %.2f ms  p99 %.2f ms  (one token-check GetItem more)%n",
                    on.getValueAtPercentile(50) / 1e3, on.getValueAtPercentile(99) / 1e3);
            System.out.printf("  ratio on/off: p50 %.2f  p99 %.2f%n",
                    (double) on.getValueAtPercentile(50) / off.getValueAtPercentile(50),
                    (double) on.getValueAtPercentile(99) / off.getValueAtPercentile(99));
        }
        System.exit(0);
    }

    private static void time(ConsulHttp client, Histogram into) {
        long start = System.nanoTime();
        HttpResponse<String> response = client.sendUnchecked("GET", "/v1/peering/bench", null);
        long micros = (System.nanoTime() - start) / 1_000;
        if (response.statusCode() != 200) {
            throw new IllegalStateException("read failed: " + response.statusCode() + " " + response.body());
        }
        if (into != null) {
            into.recordValue(micros);
        }
    }
}
