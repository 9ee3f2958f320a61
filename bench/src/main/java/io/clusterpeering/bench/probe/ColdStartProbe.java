package io.clusterpeering.bench.probe;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Properties;

/**
 * One cold start, in a fresh JVM, as Lambda does it without SnapStart: the handler's no-argument constructor (a
 * function starts its application context there; the plain-Java handler builds its SDK client), then the first
 * API Gateway v2 event answered. With {@code prime} it runs the CRaC resources' {@code beforeCheckpoint} and
 * {@code afterRestore} between the two, as a SnapStart snapshot and restore would ({@link Checkpoint}).
 *
 * <p>Prints one line the driver reads, with wall-clock epoch milliseconds (the driver started the process, so it
 * subtracts its own start time): {@code PROBE main=.. constructed=.. primed=.. requested=.. answered=..
 * status=.. cpu=..}. {@code cpu} is the process's CPU time so far, in ms, which the machine's load disturbs less
 * than wall time.
 *
 * <p>Arguments: the handler class, the event file ({@link ProbeEvents}), optionally {@code prime}.
 */
public final class ColdStartProbe {
    private ColdStartProbe() {
    }

    public static void main(String[] args) throws Exception {
        long main = System.currentTimeMillis();
        Properties spec = new Properties();
        try (InputStream in = new FileInputStream(args[1])) {
            spec.load(in);
        }
        Object instance = Class.forName(args[0]).getDeclaredConstructor().newInstance();
        long constructed = System.currentTimeMillis();
        long primed = constructed;
        if (args.length > 2 && "prime".equals(args[2])) {
            Checkpoint.simulate(instance);
            primed = System.currentTimeMillis();
        }
        @SuppressWarnings("unchecked")
        RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler =
                (RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>) instance;
        APIGatewayV2HTTPEvent event = ProbeEvents.event(spec);
        long requested = System.currentTimeMillis();
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, new ProbeContext());
        long answered = System.currentTimeMillis();
        long cpu = ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
        System.out.println("PROBE main=" + main + " constructed=" + constructed + " primed=" + primed
                + " requested=" + requested + " answered=" + answered + " status=" + response.getStatusCode()
                + " cpu=" + cpu);
        if (response.getStatusCode() >= 300) {
            String body = String.valueOf(response.getBody());
            System.out.println("BODY " + body.substring(0, Math.min(300, body.length())).replace('\n', ' '));
        }
        System.out.flush();
        System.exit(0);
    }

    /** Reads a file that the driver wrote; fails loudly. */
    static byte[] read(String file) {
        try (InputStream in = new FileInputStream(file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }
}
