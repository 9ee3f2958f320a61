package io.clusterpeering.bench;

import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.PeeringFlow;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Prints how long establishing takes between two local clusters on this machine: N times (default 20), a
 * token is generated on dc1 and established on dc2 through HTTP; only the establish call is timed (token
 * check, secret exchange with the acceptor, both rows written, first heartbeat). A benchmark, not a test:
 * <pre>
 * mvn -q -pl functions test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.clusterpeering.bench.EstablishBenchmark [-Dexec.args=20]
 * </pre>
 */
public final class EstablishBenchmark {
    private EstablishBenchmark() {
    }

    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        try (LocalCluster dc1 = PeeringFlow.startCluster("dc1");
             LocalCluster dc2 = PeeringFlow.startCluster("dc2")) {
            ConsulHttp acceptor = PeeringFlow.client(dc1);
            ConsulHttp dialer = PeeringFlow.client(dc2);
            for (int warmup = 0; warmup < 3; warmup++) {
                PeeringFlow.establish(dialer, "warmup-" + warmup,
                        PeeringFlow.generate(acceptor, "warmup-" + warmup));
            }
            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                String token = PeeringFlow.generate(acceptor, "bench-" + i);
                long start = System.nanoTime();
                HttpResponse<String> response = PeeringFlow.establish(dialer, "bench-" + i, token);
                millis.add((System.nanoTime() - start) / 1e6);
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("establish failed: " + response.body());
                }
            }
            Collections.sort(millis);
            System.out.printf("establish between two local clusters, %d samples (after 3 warm-up): "
                            + "median %.1f ms, p90 %.1f ms, min %.1f ms, max %.1f ms%n", samples,
                    percentile(millis, 50), percentile(millis, 90), millis.get(0), millis.get(millis.size() - 1));
        }
        System.exit(0);
    }

    private static double percentile(List<Double> sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, index));
    }
}
