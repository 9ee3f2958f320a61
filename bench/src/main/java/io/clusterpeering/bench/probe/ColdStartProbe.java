package io.clusterpeering.bench.probe;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.nio.file.Path;
import jdk.jfr.Recording;

/**
 * One cold start, in a fresh JVM, as Lambda does it without SnapStart: the handler's no-argument constructor (a
 * function starts its application context there; the plain-Java handler builds its SDK client), then the first
 * invocation answered through the entry point Lambda's Java runtime calls, {@link RequestStreamHandler#handleRequest}
 * with the event's JSON bytes (API Gateway's payload 2.0, written by the driver with {@link ProbeEvents#write}).
 * With {@code prime} it runs the CRaC resources' {@code beforeCheckpoint} and {@code afterRestore} between the two,
 * as a SnapStart snapshot and restore would ({@link Checkpoint}).
 *
 * <p>Prints one line the driver reads, with wall-clock epoch milliseconds (the driver started the process, so it
 * subtracts its own start time): {@code PROBE main=.. constructed=.. primed=.. requested=.. answered=..
 * status=.. cpu=..}. {@code cpu} is the process's CPU time so far, in ms, which the machine's load disturbs less
 * than wall time.
 *
 * <p>Arguments: the handler class (a {@link RequestStreamHandler}), the event file, optionally {@code prime}.
 */
public final class ColdStartProbe {
    /** The system property naming the file of {@link #recordingOfTheRequest()}. */
    public static final String REQUEST_JFR = "bench.request-jfr";

    private ColdStartProbe() {
    }

    public static void main(String[] args) throws Exception {
        long main = System.currentTimeMillis();
        byte[] event = read(args[1]);
        Object instance = Class.forName(args[0]).getDeclaredConstructor().newInstance();
        long constructed = System.currentTimeMillis();
        long primed = constructed;
        if (args.length > 2 && "prime".equals(args[2])) {
            Checkpoint.simulate(instance);
            primed = System.currentTimeMillis();
        }
        RequestStreamHandler handler = (RequestStreamHandler) instance;
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        Recording request = recordingOfTheRequest();
        long requested = System.currentTimeMillis();
        handler.handleRequest(new ByteArrayInputStream(event), answer, new ProbeContext());
        long answered = System.currentTimeMillis();
        if (request != null) {
            request.stop();
            request.dump(Path.of(System.getProperty(REQUEST_JFR)));
        }
        long cpu = ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
        byte[] bytes = answer.toByteArray();
        int status = status(bytes);
        System.out.println("PROBE main=" + main + " constructed=" + constructed + " primed=" + primed
                + " requested=" + requested + " answered=" + answered + " status=" + status
                + " cpu=" + cpu);
        if (status >= 300 || status < 0) {
            String body = new String(bytes, StandardCharsets.UTF_8);
            System.out.println("BODY " + body.substring(0, Math.min(300, body.length())).replace('\n', ' '));
        }
        System.out.flush();
        System.exit(0);
    }

    /**
     * With {@code -Dbench.request-jfr=<file>}, a JDK Flight Recorder recording of the first request alone (started
     * after the construction and the priming, dumped to the file when the answer is back): execution samples every
     * millisecond with their stacks and every class loaded, to see what the first request after a restore does.
     * Null without the property.
     */
    private static Recording recordingOfTheRequest() {
        if (System.getProperty(REQUEST_JFR) == null) {
            return null;
        }
        Recording recording = new Recording();
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1)).withStackTrace();
        recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(1)).withStackTrace();
        recording.enable("jdk.ClassLoad").withStackTrace();
        recording.enable("jdk.ThreadPark").withThreshold(Duration.ofMillis(1)).withStackTrace();
        recording.enable("jdk.SocketRead").withThreshold(Duration.ofMillis(1)).withStackTrace();
        recording.start();
        return recording;
    }

    /**
     * The {@code statusCode} of an answer in payload format 2.0, read off its bytes without a JSON library (so the
     * probe loads nothing after the handler answered); -1 when there is none.
     */
    public static int status(byte[] answer) {
        String text = new String(answer, 0, Math.min(answer.length, 200), StandardCharsets.UTF_8);
        int at = text.indexOf("\"statusCode\":");
        if (at < 0) {
            return -1;
        }
        int i = at + 13;
        while (i < text.length() && text.charAt(i) == ' ') {
            i++;
        }
        int status = 0;
        for (; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
            status = status * 10 + (text.charAt(i) - '0');
        }
        return status;
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
