package io.clusterpeering.bench;

import io.clusterpeering.bench.probe.ColdStartProbe;

import io.clusterpeering.bench.probe.ProbeEvents;
import io.clusterpeering.bench.probe.RecordedCalls;
import io.clusterpeering.function.ListPeeringsFunction;
import io.clusterpeering.function.ReadPeeringFunction;
import io.clusterpeering.function.GenerateTokenFunction;
import io.clusterpeering.function.Routes;
import io.clusterpeering.local.LocalCluster;
import software.amazon.awssdk.core.SdkRequest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Cold start of every HTTP function from the Lambda jar, each beside a plain-Java handler making the same
 * DynamoDB calls (median of N fresh JVMs each, run interleaved so that the machine's load falls on both alike),
 * then the SnapStart figures: what priming costs before the snapshot and what it saves on the first request
 * after a (simulated) restore. The headline functions also run with a JDK AOT cache (JEP 483, made in one step as
 * JEP 514 has it), beside the same plain-Java runs and their own runs without it.
 */
final class ColdStartSection implements Section {
    static final String TITLE = "Cold start";
    static final String SNAPSTART = "SnapStart priming";
    static final String AOT = "AOT cache (JEP 483/514)";
    /** The functions whose cold start the issue names: more runs, and the SnapStart figures. */
    static final List<Class<?>> HEADLINE = List.of(ListPeeringsFunction.class, ReadPeeringFunction.class,
            GenerateTokenFunction.class);
    static final double TARGET = 1.5;
    /** Request numbers ({@link RouteRequests#request}) of the runs besides the plain cold starts (0, 1, ...). */
    private static final int PRIMED_RUNS = 1000;
    private static final int TRAINING_RUN = 2000;
    private static final int AOT_RUNS = 3000;
    private static final int PRIMED_AOT_RUNS = 4000;

    @Override
    public String id() {
        return "cold";
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public List<String> subtitles() {
        return List.of(AOT, SNAPSTART);
    }

    @Override
    public void run(BenchRun run) throws Exception {
        String client = run.lambdaHttpClient();
        try (LocalCluster acceptor = Cluster.local(run, "dc9", Map.of());
             Cluster cluster = Cluster.start(run.endpoint(), run.newTable("cold"), true, Map.of());
             Cluster dialer = Cluster.start(run.endpoint(), run.newTable("dialer"), false, Map.of("peering.datacenter", "dc2"))) {
            Cluster acceptorFunctions = Cluster.over(acceptor);
            RouteRequests requests = new RouteRequests(cluster, dialer, name -> acceptorFunctions
                    .ok("POST", "/v1/peering/token", "{\"PeerName\":\"" + name + "\"}").get("PeeringToken").asText());
            Map<String, String> env = new HashMap<>();
            env.put("PEERING_DYNAMODB_ENDPOINT", run.endpoint());
            env.put("AWS_REGION", "us-east-1");
            env.put("PEERING_DYNAMODB_REGION", "us-east-1");
            env.put("PEERING_DYNAMODB_TABLE_NAME", cluster.table());
            env.put("PEERING_DATACENTER", "dc1");
            env.put("PEERING_ACL_ENABLED", "true");
            env.put("PEERING_ACL_DEFAULT_POLICY", "deny");
            env.put("PEERING_ADVERTISE_URL", "http://127.0.0.1:9");
            env.put("PEERING_IDENTITY_SOURCE", "dynamodb");
            List<String> lambdaFlags = List.of("-D" + io.clusterpeering.function.LambdaLogConfigurator.FORMAT_PROPERTY + "=json");

            List<Routes.Route> routes = new ArrayList<>(Routes.ALL);
            if (run.options().headlineOnly()) {
                routes.removeIf(r -> !HEADLINE.contains(r.handler()));
            }
            routes.sort((a, b) -> Boolean.compare(!HEADLINE.contains(a.handler()), !HEADLINE.contains(b.handler())));
            List<String> unmeasured = new ArrayList<>();
            List<String> names = new ArrayList<>();
            double[] functionMedians = new double[routes.size()];
            double[] plainMedians = new double[routes.size()];
            Map<Class<?>, List<Long>> firstRequests = new HashMap<>();
            Map<Class<?>, AotCache> caches = new HashMap<>();
            List<String> aotNames = new ArrayList<>();
            List<List<Double>> aotSeries = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            int index = 0;
            for (Routes.Route route : routes) {
                String fn = route.handler().getSimpleName();
                run.progress().step(fn + ": recording its DynamoDB calls");
                RouteRequests.Req recorded;
                try {
                    recorded = requests.request(route, -1);
                } catch (UnsupportedRoute e) {
                    // a route added after RouteRequests was written: say so, measure the others
                    unmeasured.add(fn + " (" + route.method() + " " + route.path() + ")");
                    continue;
                }
                List<SdkRequest> calls;
                try (Cluster fresh = Cluster.attach(run.endpoint(), cluster.table(), true, cluster.token())) {
                    calls = CallRecorder.record(() -> fresh.call(recorded.method(), recorded.pathAndQuery(), recorded.body()));
                }
                Path callsFile = run.work().resolve(fn + ".calls");
                RecordedCalls.write(callsFile, calls);
                boolean headline = HEADLINE.contains(route.handler());
                int runs = headline ? 2 * run.options().coldRuns() + 1 : run.options().coldRuns();
                AotCache cache = null;
                if (headline) {
                    run.progress().step(fn + ": AOT cache training run");
                    cache = AotCache.train(run, route.handler().getName(),
                            event(run, requests, cluster, route, TRAINING_RUN, "training"), env, lambdaFlags);
                }
                ColdRuns function = new ColdRuns();
                ColdRuns plain = new ColdRuns();
                ColdRuns withCache = new ColdRuns();
                String refusal = null;
                for (int i = 0; i < runs; i++) {
                    run.progress().step(String.format("%s (%d/%d): fresh JVM %d/%d", fn, index + 1, routes.size(), i + 1, runs));
                    Path event = event(run, requests, cluster, route, i, Integer.toString(i));
                    BenchRun.ProbeResult f = run.probe(run.lambdaClasspath(), route.handler().getName(), event, env,
                            lambdaFlags, false);
                    BenchRun.ProbeResult p = run.probe(run.lambdaClasspath(), "io.clusterpeering.bench.probe.PlainJavaHandler",
                            event, env, List.of("-Dbench.calls=" + callsFile, "-Dbench.http-client=" + client), false);
                    if (cache != null) {
                        // the third side of the same turn: its own fresh request, as the function's run had
                        run.progress().step(String.format("%s (%d/%d): fresh JVM %d/%d with the AOT cache", fn, index + 1,
                                routes.size(), i + 1, runs));
                        withCache.add(run.probe(run.lambdaClasspath(), route.handler().getName(),
                                event(run, requests, cluster, route, AOT_RUNS + i, "aot-" + i), env, cache.use(lambdaFlags), false));
                    }
                    function.add(f);
                    plain.add(p);
                    if (f.status() >= 300) {
                        refusal = f.body();
                    }
                }
                firstRequests.put(route.handler(), function.first);
                names.add(fn);
                functionMedians[index] = function.medianTotal();
                plainMedians[index] = plain.medianTotal();
                String detail = String.format(Locale.ROOT,
                        "status %s; init %.0f + first request %.0f ms; CPU %.0f vs %.0f ms; calls: %s; runs %s vs %s%s",
                        function.statuses(), function.medianInit(), function.medianFirst(), function.medianCpu(),
                        plain.medianCpu(), summary(calls), Stats.list(function.total), Stats.list(plain.total),
                        refusal == null ? "" : "; answer: " + refusal);
                run.results().add(Figure.versus("cold." + fn, TITLE, "cold start " + fn + " (" + route.method() + " "
                                + route.path() + ")", functionMedians[index], "ms",
                        "plain-Java handler, same calls, " + client, plainMedians[index], detail, "cold-start.png").target(TARGET));
                if (cache != null) {
                    aotFigures(run, fn, cache, withCache, function.total, plainMedians[index], client);
                    caches.put(route.handler(), cache);
                    aotNames.add(fn);
                    aotSeries.get(0).add(plainMedians[index]);
                    aotSeries.get(1).add(functionMedians[index]);
                    aotSeries.get(2).add(withCache.medianTotal());
                }
                index++;
            }
            if (!unmeasured.isEmpty()) {
                run.results().note(TITLE, "**Not measured** (no request for them in `RouteRequests` yet): "
                        + String.join(", ", unmeasured) + ".");
                functionMedians = java.util.Arrays.copyOf(functionMedians, index);
                plainMedians = java.util.Arrays.copyOf(plainMedians, index);
            }
            Map<String, double[]> series = new LinkedHashMap<>();
            series.put("function (median)", functionMedians);
            series.put("plain-Java handler, same DynamoDB calls (median)", plainMedians);
            Charts.bars(run.results().dir().resolve("cold-start.png"),
                    "Cold start from the Lambda jar: fresh JVM to first answer", "ms", names, series, true);
            run.results().note(TITLE, "Each function: a fresh JVM (`" + String.join(" ", BenchRun.LAMBDA_JVM_FLAGS)
                    + " -Dpeering.log.format=json`, classpath = `functions-lambda.jar` + the probe) runs "
                    + "the handler's no-argument constructor and answers one API Gateway v2 event, its JSON bytes through the "
                    + "stream entry point Lambda calls (`handleRequest(InputStream, OutputStream, Context)`), with the deployment's "
                    + "settings (ACLs on, default deny, the management token on the request; identity read from the table, "
                    + "where AWS reads Secrets Manager). Its denominator is `PlainJavaHandler` (bench/), no framework, in a "
                    + "fresh JVM from the same jar, called the same way: it builds the DynamoDB client with the same HTTP "
                    + "client, reads the event with Jackson and makes exactly the DynamoDB calls the function made for that request (recorded through an SDK interceptor), then "
                    + "writes the items as JSON by hand. Measured from process start to the answer.");
            if (!aotNames.isEmpty()) {
                aotChartAndNote(run, aotNames, aotSeries);
            }
            snapStart(run, routes, requests, cluster, env, lambdaFlags, firstRequests, caches);
        }
    }

    /**
     * The flags of a primed run whose first request is recorded with JFR ({@link ColdStartProbe#REQUEST_JFR}) into
     * {@code $BENCH_REQUEST_JFR_DIR/<function>.jfr}, when that variable names a folder (a profiling aid, off in the
     * committed runs: the recording's sampling adds to the figure it records); else the flags as they are.
     */
    private static List<String> requestRecorded(List<String> lambdaFlags, String function) {
        String dir = System.getenv("BENCH_REQUEST_JFR_DIR");
        if (dir == null || dir.isBlank()) {
            return lambdaFlags;
        }
        List<String> flags = new ArrayList<>(lambdaFlags);
        flags.add("-D" + ColdStartProbe.REQUEST_JFR + "=" + Path.of(dir, function + ".jfr").toAbsolutePath());
        return flags;
    }

    /**
     * Priming cost before the snapshot, and the first request after a simulated restore, with and without it; where
     * the function has an AOT cache, the same simulation again with it in each turn (that the JEP 483 flags leave
     * the CRaC resources' priming working, and what they change there).
     */
    private static void snapStart(BenchRun run, List<Routes.Route> routes, RouteRequests requests, Cluster cluster,
                                  Map<String, String> env, List<String> lambdaFlags, Map<Class<?>, List<Long>> unprimed,
                                  Map<Class<?>, AotCache> caches) {
        List<String> names = new ArrayList<>();
        List<Double> primedFirst = new ArrayList<>();
        List<Double> unprimedFirst = new ArrayList<>();
        for (Routes.Route route : routes) {
            if (!HEADLINE.contains(route.handler())) {
                continue;
            }
            String fn = route.handler().getSimpleName();
            int runs = 2 * run.options().coldRuns() + 1;
            List<Long> priming = new ArrayList<>();
            List<Long> first = new ArrayList<>();
            AotCache cache = caches.get(route.handler());
            ColdRuns withCache = new ColdRuns();
            for (int i = 0; i < runs; i++) {
                run.progress().step(String.format("%s: simulated checkpoint and restore, JVM %d/%d", fn, i + 1, runs));
                BenchRun.ProbeResult r = run.probe(run.lambdaClasspath(), route.handler().getName(),
                        event(run, requests, cluster, route, PRIMED_RUNS + i, "primed-" + i), env,
                        i == 0 ? requestRecorded(lambdaFlags, fn) : lambdaFlags, true);
                priming.add(r.priming());
                first.add(r.firstRequest());
                if (cache != null) {
                    run.progress().step(String.format("%s: simulated checkpoint and restore with the AOT cache, JVM %d/%d",
                            fn, i + 1, runs));
                    withCache.add(run.probe(run.lambdaClasspath(), route.handler().getName(),
                            event(run, requests, cluster, route, PRIMED_AOT_RUNS + i, "primed-aot-" + i), env,
                            cache.use(lambdaFlags), true));
                }
            }
            String aot = withCache.isEmpty() ? "" : String.format(Locale.ROOT,
                    "; with the AOT cache: priming %.0f ms, first request %.0f ms, status %s, runs %s",
                    withCache.medianPriming(), withCache.medianFirst(), withCache.statuses(), Stats.list(withCache.first));
            double without = Stats.median(unprimed.get(route.handler()));
            double with = Stats.median(first);
            run.results().add(Figure.alone("snapstart." + fn + ".priming", SNAPSTART, "priming before the snapshot, " + fn,
                    Stats.median(priming), "ms", "beforeCheckpoint + afterRestore of the context's CRaC resources; runs "
                            + Stats.list(priming) + (withCache.isEmpty() ? "" : "; with the AOT cache: runs "
                            + Stats.list(withCache.priming)), "snapstart.png"));
            run.results().add(Figure.versus("snapstart." + fn + ".first", SNAPSTART,
                    "first request after a simulated restore, primed, " + fn, with, "ms",
                    "first request of a cold start without priming", without, "runs " + Stats.list(first) + aot,
                    "snapstart.png"));
            names.add(fn);
            primedFirst.add(with);
            unprimedFirst.add(without);
        }
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("first request, no priming", unprimedFirst.stream().mapToDouble(Double::doubleValue).toArray());
        series.put("first request after priming + simulated restore", primedFirst.stream().mapToDouble(Double::doubleValue).toArray());
        Charts.bars(run.results().dir().resolve("snapstart.png"), "SnapStart: the first request after restore", "ms",
                names, series, false);
        run.results().note(SNAPSTART, "No CRaC JDK here (`" + System.getProperty("java.vm.version") + "`; a real "
                + "checkpoint needs a CRaC build of the JDK, which our machines cannot download), so the snapshot is "
                + "simulated: in a fresh JVM the handler is constructed, then every CRaC resource of its context "
                + "(Micronaut registers `OrderedResource` beans with CRaC; `SnapStartPriming` is ours) gets "
                + "`beforeCheckpoint` and `afterRestore`, as Lambda's snapshot and restore would call them, and then the "
                + "first request is timed. The restore itself (the memory image coming back) is Lambda's and not here; "
                + "what priming saves is the difference in the first request. Each turn of a function with an AOT cache "
                + "also runs the simulation with the cache (`-XX:AOTMode=on -XX:AOTCache=<file>`, in the details): that the "
                + "JEP 483 flags leave the CRaC resources' priming working, and what they change in it.");
    }

    /**
     * The event file of request {@code i} of a route ({@link RouteRequests#request}, which prepares what the request
     * consumes), written as API Gateway sends it; {@code tag} names the file.
     */
    private static Path event(BenchRun run, RouteRequests requests, Cluster cluster, Routes.Route route, int i, String tag) {
        RouteRequests.Req req = requests.request(route, i);
        Path event = run.work().resolve(route.handler().getSimpleName() + "-" + tag + ".event");
        Cluster.Request split = Cluster.Request.of(req.method(), req.pathAndQuery(), req.body());
        ProbeEvents.write(event, req.method(), split.path(), split.pathParameters(), split.query(), cluster.headers(),
                req.body());
        return event;
    }

    /** The AOT figures of one headline function: with the cache against plain Java, the saving, size and training. */
    private static void aotFigures(BenchRun run, String fn, AotCache cache, ColdRuns withCache, List<Long> withoutTotal,
                                   double plainMedian, String client) {
        double with = withCache.medianTotal();
        double without = Stats.median(withoutTotal);
        run.results().add(Figure.versus("cold.aot." + fn, AOT, "cold start " + fn + " with an AOT cache", with, "ms",
                "plain-Java handler, same calls, " + client, plainMedian, String.format(Locale.ROOT,
                        "status %s; init %.0f + first request %.0f ms; CPU %.0f ms; runs %s (same turns as the function "
                                + "without the cache and the plain handler)", withCache.statuses(), withCache.medianInit(),
                        withCache.medianFirst(), withCache.medianCpu(), Stats.list(withCache.total)), "aot-cache.png")
                .target(TARGET));
        run.results().add(Figure.alone("cold.aot." + fn + ".saving", AOT, "AOT cache saving on the cold start, " + fn,
                without - with, "ms", String.format(Locale.ROOT, "%.0f %% of the cold start without it; difference of the "
                                + "medians, %.0f ms without and %.0f ms with the cache (runs %s vs %s)", 100 * (without - with) / without,
                        without, with, Stats.list(withoutTotal), Stats.list(withCache.total)), "aot-cache.png"));
        run.results().add(Figure.alone("cold.aot." + fn + ".size", AOT, "AOT cache size, " + fn, cache.sizeMb(), "MB",
                cache.file().getFileName().toString(), null));
        run.results().add(Figure.alone("cold.aot." + fn + ".training", AOT, "AOT cache training run, " + fn,
                cache.trainingMs(), "ms", String.format(Locale.ROOT, "one fresh JVM, one request (status %d, answered after "
                        + "%d ms), then the JVM's child process writing the cache", cache.status(), cache.answeredMs()), null));
    }

    /**
     * The AOT section's chart ({@code aot-cache.png}: plain Java, the function without and with its cache, medians in
     * ms) and its note (how the cache is made and used, and why the figure is not what a deployment gets).
     *
     * @param series the three sides' medians, ms, in the order of {@code names}
     */
    private static void aotChartAndNote(BenchRun run, List<String> names, List<List<Double>> series) {
        Map<String, double[]> bars = new LinkedHashMap<>();
        String[] labels = {"plain-Java handler (median)", "function, no AOT cache (median)", "function with its AOT cache (median)"};
        for (int i = 0; i < labels.length; i++) {
            bars.put(labels[i], series.get(i).stream().mapToDouble(Double::doubleValue).toArray());
        }
        Charts.bars(run.results().dir().resolve("aot-cache.png"), "Cold start with a JDK AOT cache (JEP 483/514)", "ms",
                names, bars, false);
        run.results().note(AOT, "Each headline function gets its own AOT cache: a training run (a fresh JVM with the "
                + "cold-start flags, `-Xshare:auto` replaced by `-XX:AOTCacheOutput=<file>`, JEP 514's one-step "
                + "workflow) answers one request of the function's route and exits, and the JVM's child process writes the "
                + "cache from what it recorded. Then each turn of the function's cold runs gets a third fresh JVM, with "
                + "`-XX:AOTMode=on -XX:AOTCache=<file>` in place of `-Xshare:auto` (the JVM refuses the two together; "
                + "`on` makes a cache that does not load an error instead of a silent cold start without it), beside the "
                + "same plain-Java run and the run without the cache; each answers its own fresh request. The cache holds "
                + "the classes loaded and linked in training (JEP 483) and, in JDK 25, their method profiles (JEP 515). The "
                + "plain-Java handler runs without a cache, as before, so a ratio below 1 is the cache beating a start "
                + "that has none; the saving is against the same function's own runs without it. The training time "
                + "counts the training JVM and the child that writes the cache, process start to exit.\n\n"
                + "**What it could pay, not what a deployment gets today.** A cache is specific to the JDK build that wrote "
                + "it and to the classpath it was trained with: one made here with `" + System.getProperty("java.vm.vendor") + " "
                + System.getProperty("java.vm.version") + "` does not load on Lambda's java25 runtime (Amazon Corretto "
                + "25), so it would have to be made in Lambda's own image (a build step in the same runtime, whose "
                + "output ships with the function), and Lambda's managed runtime offers no way to hand it one today (its "
                + "launch post says the runtime uses AOT caches for its own start; asking for customer-provided caches is "
                + "open on the Lambda roadmap, aws/aws-lambda-roadmap#92). SnapStart, which the deployment uses, takes "
                + "the whole init phase off the request path instead; there a cache would only shorten the snapshot's "
                + "init (the SnapStart section shows the simulation with it).");
    }

    /** The fresh-JVM runs of one side of a figure, in ms. */
    private static final class ColdRuns {
        final List<Long> total = new ArrayList<>();
        final List<Long> init = new ArrayList<>();
        final List<Long> first = new ArrayList<>();
        final List<Long> priming = new ArrayList<>();
        final List<Long> cpu = new ArrayList<>();
        final Map<Integer, Integer> statuses = new TreeMap<>();

        void add(BenchRun.ProbeResult r) {
            total.add(r.total());
            init.add(r.init());
            first.add(r.firstRequest());
            priming.add(r.priming());
            cpu.add(r.cpu());
            statuses.merge(r.status(), 1, Integer::sum);
        }

        boolean isEmpty() {
            return total.isEmpty();
        }

        double medianTotal() {
            return Stats.median(total);
        }

        double medianInit() {
            return Stats.median(init);
        }

        double medianFirst() {
            return Stats.median(first);
        }

        double medianPriming() {
            return Stats.median(priming);
        }

        double medianCpu() {
            return Stats.median(cpu);
        }

        String statuses() {
            return statuses.keySet().toString();
        }
    }

    /**
     * A function's JDK AOT cache (JEP 483), written by a training run in one step (JEP 514).
     *
     * @param file       the cache
     * @param sizeMb     its size, MB
     * @param trainingMs the training run, process start to exit (the child that writes the cache included), ms
     * @param answeredMs the training run's process start to its answer, ms
     * @param status     the training request's HTTP status
     */
    record AotCache(Path file, double sizeMb, long trainingMs, long answeredMs, int status) {
        /**
         * Trains: one fresh JVM with the cold-start flags answers the event and exits, writing the cache.
         *
         * @throws IllegalStateException when the request was not answered 2xx or no cache was written
         */
        static AotCache train(BenchRun run, String handler, Path event, Map<String, String> env, List<String> flags)
                throws IOException {
            Path file = run.work().resolve(handler.substring(handler.lastIndexOf('.') + 1) + ".aot");
            List<String> training = new ArrayList<>(flags);
            training.add("-XX:AOTCacheOutput=" + file);
            BenchRun.ProbeResult r = run.probe(run.lambdaClasspath(), handler, event, env, training, false);
            if (r.status() >= 300 || !Files.isRegularFile(file)) {
                throw new IllegalStateException(handler + ": the AOT training run answered " + r.status()
                        + (r.body() == null ? "" : " " + r.body()) + " and wrote " + (Files.isRegularFile(file)
                        ? "" : "no ") + "cache " + file);
            }
            return new AotCache(file, Files.size(file) / 1e6, r.exited(), r.total(), r.status());
        }

        /** The flags of a cold run with this cache: {@code flags}, then the cache, required to load. */
        List<String> use(List<String> flags) {
            List<String> with = new ArrayList<>(flags);
            with.add("-XX:AOTMode=on");
            with.add("-XX:AOTCache=" + file);
            return with;
        }
    }

    private static String summary(List<SdkRequest> calls) {
        return calls.stream().map(RecordedCalls::operation)
                .collect(Collectors.groupingBy(o -> o, LinkedHashMap::new, Collectors.counting()))
                .entrySet().stream().map(e -> e.getKey() + (e.getValue() > 1 ? "×" + e.getValue() : ""))
                .collect(Collectors.joining(", "));
    }

    /** Thrown by {@link RouteRequests#request} for a route it has no request for. */
    static final class UnsupportedRoute extends IllegalStateException {
        UnsupportedRoute(String message) {
            super(message);
        }
    }
}
