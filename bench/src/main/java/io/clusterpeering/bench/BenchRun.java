package io.clusterpeering.bench;

import io.clusterpeering.bench.probe.ColdStartProbe;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * What every section shares during one run: the options, the engine, the Lambda jar and the probe, a work folder,
 * the progress line and the results.
 */
public final class BenchRun {
    /**
     * The JVM flags of every fresh-JVM figure, as Lambda's java25 managed runtime starts our functions: C1 only,
     * serial GC, a class-data archive.
     *
     * <p>Where they come from, in our words. Lambda's page on customizing Java start-up
     * (https://docs.aws.amazon.com/lambda/latest/dg/java-customization.html) says that java17 and java21 stop tiered
     * compilation at level 1 by default and that java25 still does, except under SnapStart or provisioned
     * concurrency, where java25 leaves the JVM's own tiered default (C1, then C2) since the JIT then works off the
     * request path. Our functions set {@code -XX:TieredStopAtLevel=1} themselves in {@code JAVA_TOOL_OPTIONS}
     * ({@code ClusterStack}), so they run C1 only under SnapStart as well. The same page names the serial collector
     * as the Java runtimes' default (it says so for java11 and java17 and nothing there says java25 changed it).
     * The java25 launch post (https://aws.amazon.com/blogs/compute/aws-lambda-now-supports-java-25) says the runtime
     * uses the JDK's AOT caches for its own start; the JDK's default CDS archive ({@code -Xshare:auto}) stands for
     * that here, since Lambda's archive is built for its runtime client, not for our jar.
     */
    static final List<String> LAMBDA_JVM_FLAGS = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC", "-Xshare:auto");

    /** What {@link #LAMBDA_JVM_FLAGS} stand for, in the report's words. */
    static final String LAMBDA_JVM_FLAGS_WHY = "as Lambda's java25 runtime starts our functions: C1 only (java25's "
            + "default without SnapStart, and our `JAVA_TOOL_OPTIONS` with it), serial GC, a class-data archive";

    private final Options options;
    private final Progress progress;
    private final Results results;
    private final String endpoint;
    private final Path work;
    private final Path lambdaJar;
    private final Path probeClasses;
    private final AtomicInteger tables = new AtomicInteger();

    BenchRun(Options options, Progress progress, Results results, String endpoint, Path work, Path lambdaJar) {
        this.options = options;
        this.progress = progress;
        this.results = results;
        this.endpoint = endpoint;
        this.work = work;
        this.lambdaJar = lambdaJar;
        this.probeClasses = extractProbe(work.resolve("probe.jar"));
    }

    public Options options() {
        return options;
    }

    public Progress progress() {
        return progress;
    }

    public Results results() {
        return results;
    }

    /** The DynamoDB Local endpoint. */
    public String endpoint() {
        return endpoint;
    }

    /**
     * A DynamoDB Local of its own, empty, for one step of a scale section: DynamoDB Local keeps every table's stream
     * records in one SQLite database and each write looks its stream up there, so its writes slow down as the
     * streams of earlier steps grow; each size starts from an empty engine instead. Close it after the step.
     */
    public DynamoDbLocalProcess freshEngine() {
        try {
            return DynamoDbLocalProcess.start(work.resolve("logback.xml"), Files.createTempDirectory(work, "engine-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A scratch folder, deleted with the JVM's temporary files. */
    public Path work() {
        return work;
    }

    /** {@code functions/target/functions-lambda.jar}. */
    public Path lambdaJar() {
        return lambdaJar;
    }

    /** A new table name; each cluster gets its own. */
    public String newTable(String purpose) {
        return "bench-" + purpose + "-" + tables.incrementAndGet();
    }

    /**
     * Which SDK HTTP client the Lambda jar carries ({@code crt}, {@code apache} or {@code url-connection}), so that
     * the plain-Java denominators use the same one.
     */
    public String lambdaHttpClient() {
        try (ZipFile jar = new ZipFile(lambdaJar.toFile())) {
            if (jar.getEntry("software/amazon/awssdk/http/crt/AwsCrtHttpClient.class") != null) {
                return "crt";
            }
            if (jar.getEntry("software/amazon/awssdk/http/apache/ApacheHttpClient.class") != null) {
                return "apache";
            }
            return "url-connection";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The probe's classpath from the Lambda jar: the jar, then the probe classes in a jar of their own (nothing else
     * of the driver; jars only, since the JDK's AOT cache refuses a class folder on the classpath).
     */
    public String lambdaClasspath() {
        return lambdaJar + java.io.File.pathSeparator + probeClasses;
    }

    /** The probe's classpath from the driver's own classpath (every HTTP client on it), for raw SDK figures. */
    public String driverClasspath() {
        return probeClasses + java.io.File.pathSeparator + System.getProperty("java.class.path");
    }

    /**
     * One fresh JVM: {@link ColdStartProbe} with a handler class and an event.
     *
     * @param classpath  {@link #lambdaClasspath()} or {@link #driverClasspath()}
     * @param handler    the handler class name
     * @param event      the event file
     * @param env        environment on top of this process's
     * @param jvmFlags   flags on top of {@link #LAMBDA_JVM_FLAGS} (see {@link #jvmFlags})
     * @param prime      whether to simulate a SnapStart checkpoint and restore before the request
     */
    public ProbeResult probe(String classpath, String handler, Path event, Map<String, String> env,
                             List<String> jvmFlags, boolean prime) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags(jvmFlags));
        command.add("-cp");
        command.add(classpath);
        command.add(ColdStartProbe.class.getName());
        command.add(handler);
        command.add(event.toString());
        if (prime) {
            command.add("prime");
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(work.toFile());
        Map<String, String> environment = builder.environment();
        environment.remove("JAVA_TOOL_OPTIONS");
        environment.putAll(env);
        long spawned = System.currentTimeMillis();
        try {
            Process process = builder.start();
            String line = null;
            String body = null;
            StringBuilder log = new StringBuilder();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    if (l.startsWith("PROBE ")) {
                        line = l;
                    } else if (l.startsWith("BODY ")) {
                        body = l.substring(5);
                    } else if (log.length() < 4000) {
                        log.append(l).append('\n');
                    }
                }
            }
            process.waitFor();
            long exited = System.currentTimeMillis() - spawned;
            if (line == null) {
                throw new IllegalStateException(handler + " did not answer in a fresh JVM:\n" + log);
            }
            Map<String, Long> values = new HashMap<>();
            for (String part : line.substring(6).split(" ")) {
                String[] kv = part.split("=");
                values.put(kv[0], Long.parseLong(kv[1]));
            }
            return new ProbeResult(values.get("answered") - spawned, values.get("constructed") - spawned,
                    values.get("answered") - values.get("requested"), values.get("primed") - values.get("constructed"),
                    values.get("cpu"), values.get("status").intValue(), body, exited);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * What one fresh JVM measured, in ms.
     *
     * @param total        process start to the first answer
     * @param init         process start to the handler constructed (Lambda's init phase)
     * @param firstRequest the first request alone
     * @param priming      the simulated checkpoint and restore (0 without)
     * @param cpu          the process's CPU time at the answer
     * @param status       the first answer's HTTP status
     * @param body         the answer's body when it was not 2xx
     * @param exited       process start to the process's exit (with {@code -XX:AOTCacheOutput}, the cache written)
     */
    public record ProbeResult(long total, long init, long firstRequest, long priming, long cpu, int status, String body,
                              long exited) {
    }

    /**
     * A fresh JVM's flags: {@link #LAMBDA_JVM_FLAGS}, then {@code extra}. With an AOT cache flag in {@code extra}
     * ({@code -XX:AOTCache=}, {@code -XX:AOTCacheOutput=}, JEP 483/514) {@code -Xshare:auto} is left out: the JVM
     * refuses the two together, and the AOT cache takes the class-data archive's place.
     */
    static List<String> jvmFlags(List<String> extra) {
        boolean aot = extra.stream().anyMatch(f -> f.startsWith("-XX:AOTCache"));
        List<String> flags = new ArrayList<>(LAMBDA_JVM_FLAGS);
        if (aot) {
            flags.removeIf(f -> f.startsWith("-Xshare:"));
        }
        flags.addAll(extra);
        return flags;
    }

    /**
     * Copies the probe classes out of the driver's classpath into {@code target} (a jar), so a fresh JVM can load them
     * beside the Lambda jar alone.
     */
    private static Path extractProbe(Path target) {
        String[] names = {"ColdStartProbe", "ProbeContext", "ProbeEvents", "Checkpoint", "PlainJavaHandler",
                "PlainJavaHandler$Json", "HttpClients", "HttpClients$UrlConnection", "HttpClients$Apache",
                "HttpClients$Crt", "RecordedCalls"};
        try (ZipOutputStream jar = new ZipOutputStream(Files.newOutputStream(target))) {
            for (String name : names) {
                try (InputStream in = BenchRun.class.getResourceAsStream("/io/clusterpeering/bench/probe/" + name + ".class")) {
                    if (in == null) {
                        throw new IllegalStateException("probe class " + name + " is missing from the driver's classpath");
                    }
                    jar.putNextEntry(new ZipEntry("io/clusterpeering/bench/probe/" + name + ".class"));
                    jar.write(in.readAllBytes());
                    jar.closeEntry();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }
}
